using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Auth;

/// <summary>
/// Gateway spec: after <see cref="AuthOptions.FailureLimit"/> wrong keys or sign-ins within
/// <see cref="AuthOptions.FailureWindow"/> from one client address, every further attempt (a key in
/// <c>X-Api-Key</c>, a sign-in) gets 429 until the window passes, even with a right key.
/// </summary>
/// <remarks>
/// A fixed-window limiter per address from System.Threading.RateLimiting, where a permit is a
/// failure: a failure takes one, and an attempt only asks whether any is left (a zero-permit
/// lease). The rate-limiting middleware cannot do this, since it charges every request, right
/// keys and applicants' purchases included. The address is the one the forwarded-headers
/// middleware settled on (Proxies/TrustedProxies), so behind a trusted proxy it is the client's.
/// Failures are logged as one count per address and window, never a line each.
/// </remarks>
internal sealed partial class AuthFailureThrottle : IDisposable
{
    private readonly PartitionedRateLimiter<string> _limiter;
    private readonly TimeSpan _window;
    private readonly ILogger<AuthFailureThrottle> _logger;
    private readonly ITimer _summary;
    private ConcurrentDictionary<string, Tally> _tallies = new(StringComparer.Ordinal);

    public AuthFailureThrottle(IOptions<AuthOptions> options, TimeProvider time, ILogger<AuthFailureThrottle> logger)
    {
        var auth = options.Value;
        _window = auth.FailureWindow;
        _logger = logger;
        _limiter = PartitionedRateLimiter.Create<string, string>(address => RateLimitPartition.GetFixedWindowLimiter(address, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = auth.FailureLimit,
            Window = auth.FailureWindow,
            QueueLimit = 0,
            // The partitioned limiter replenishes its partitions itself, and drops those idle.
            AutoReplenishment = false,
        }));
        _summary = time.CreateTimer(static state => ((AuthFailureThrottle)state!).LogSummary(), this, _window, _window);
    }

    /// <summary>Null when this client may present a key now; otherwise how long until it may (for <c>Retry-After</c>).</summary>
    public TimeSpan? Refusal(HttpContext context)
    {
        var address = ClientOf(context);
        using var lease = _limiter.AttemptAcquire(address, permitCount: 0);
        if (lease.IsAcquired)
        {
            return null;
        }

        Interlocked.Increment(ref TallyOf(address).Refused);

        // The fixed window's lease names the whole window: an upper bound, which is what a client must honour.
        return lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : _window;
    }

    /// <summary>Counts a wrong key from this client; the failure that uses up its allowance is logged once.</summary>
    public void RecordFailure(HttpContext context)
    {
        var address = ClientOf(context);
        Interlocked.Increment(ref TallyOf(address).Failures);
        using var lease = _limiter.AttemptAcquire(address, permitCount: 1);
        if (lease.IsAcquired && _limiter.GetStatistics(address)?.CurrentAvailablePermits == 0)
        {
            LogThrottled(_logger, address, (int)_window.TotalSeconds);
        }
    }

    public void Dispose()
    {
        _summary.Dispose();
        LogSummary();
        _limiter.Dispose();
    }

    /// <summary>
    /// The partition of a client: its address, an IPv6 client's /64 (one host usually holds the
    /// whole prefix), or one shared partition when there is no address.
    /// </summary>
    internal static string ClientOf(HttpContext context)
    {
        var address = context.Connection.RemoteIpAddress;
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            address = address.MapToIPv4();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6 || IPAddress.IsLoopback(address))
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    private Tally TallyOf(string address) => _tallies.GetOrAdd(address, static _ => new Tally());

    private void LogSummary()
    {
        // A count that lands in the old tally while it is swapped out is lost: a summary, not an audit trail.
        var tallies = Interlocked.Exchange(ref _tallies, new ConcurrentDictionary<string, Tally>(StringComparer.Ordinal));
        foreach (var (address, tally) in tallies)
        {
            LogFailures(_logger, tally.Failures, tally.Refused, address, (int)_window.TotalSeconds);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Oversight keys from {ClientAddress}: {Failures} wrong keys or sign-ins and {Refused} attempts refused with 429 in the last {WindowSeconds} s")]
    private static partial void LogFailures(ILogger logger, int failures, int refused, string clientAddress, int windowSeconds);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Oversight keys from {ClientAddress} are refused with 429 for up to {WindowSeconds} s: too many wrong keys or sign-ins")]
    private static partial void LogThrottled(ILogger logger, string clientAddress, int windowSeconds);

    private sealed class Tally
    {
        public int Failures;
        public int Refused;
    }
}
