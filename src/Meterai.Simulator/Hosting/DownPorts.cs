using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace Meterai.Simulator.Hosting;

/// <summary>
/// Ports for distributors that start down: free when chosen, and below the range the kernel hands
/// out for port 0, so that while such a distributor refuses connections, no other listener on the
/// machine (another test's, started meanwhile) is given its port and answers in its place.
/// </summary>
/// <remarks>
/// Holding the port with a bound, non-listening socket would be simpler, but .NET sets
/// SO_REUSEADDR on every TCP bind on Linux, and two such sockets may share a port.
/// </remarks>
internal static class DownPorts
{
    private const string EphemeralRangeFile = "/proc/sys/net/ipv4/ip_local_port_range";
    private const int Tries = 64;
    private static int s_next = Environment.ProcessId * 7919;

    public static int Reserve(IPAddress address)
    {
        var low = EphemeralLow();
        var span = low / 2;
        for (var i = 0; i < Tries; i++)
        {
            // Spread by process: test processes running side by side start far apart.
            var port = low - span + (int)((uint)Interlocked.Increment(ref s_next) % (uint)span);
            if (TryBind(address, port) is { } free)
            {
                return free;
            }
        }

        return TryBind(address, 0) ?? throw new InvalidOperationException($"No free port on {address}.");
    }

    /// <summary>The port bound, when <paramref name="port"/> (0: any) could be bound now; the probe is released at once.</summary>
    private static int? TryBind(IPAddress address, int port)
    {
        var probe = new TcpListener(address, port);
        try
        {
            probe.Start();
            return ((IPEndPoint)probe.LocalEndpoint).Port;
        }
        catch (SocketException)
        {
            return null;
        }
        finally
        {
            probe.Stop();
        }
    }

    /// <summary>Where the kernel's port-0 range starts: Linux's setting, or IANA's 49152 elsewhere.</summary>
    private static int EphemeralLow()
    {
        try
        {
            var first = File.ReadAllText(EphemeralRangeFile).Split((char[])['\t', ' ', '\n'], StringSplitOptions.RemoveEmptyEntries)[0];
            return int.TryParse(first, NumberStyles.None, CultureInfo.InvariantCulture, out var low) && low > 2048 ? low : 49152;
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            return 49152;
        }
    }
}
