using System.Runtime.InteropServices;

namespace Meterai.Simulator;

/// <summary>
/// <c>dotnet run --project src/Meterai.Simulator</c>: runs a fleet until Ctrl+C or SIGTERM.
/// Not top-level statements: test projects reference this assembly and the gateway's, which has a top-level Program.
/// </summary>
internal static class SimulatorProgram
{
    internal static async Task<int> Main(string[] args)
    {
        if (args is ["--help"] or ["-h"])
        {
            await Console.Out.WriteLineAsync(CommandLine.Usage).ConfigureAwait(false);
            return 0;
        }

        CommandLine commandLine;
        try
        {
            commandLine = CommandLine.Parse(args);
        }
        catch (CommandLineException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        using var loggerFactory = LoggerFactory.Create(logging => logging
            .AddSimpleConsole(console => console.SingleLine = true)
            .SetMinimumLevel(LogLevel.Information));
        using var stop = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            context.Cancel = true;
            stop.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);

        SimulatedFleet fleet;
        try
        {
            fleet = await SimulatedFleet.StartAsync(commandLine.Distributors, TimeProvider.System, random: null, loggerFactory, stop.Token).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is IOException or ArgumentException or InvalidOperationException)
        {
            await Console.Error.WriteLineAsync($"error: could not start the fleet: {ex.Message}").ConfigureAwait(false);
            return 1;
        }
        catch (OperationCanceledException)
        {
            return 0;
        }

        await using (fleet.ConfigureAwait(false))
        {
            foreach (var d in fleet.Distributors)
            {
                var auth = d.Options.ApiKey is null ? "" : "  [api key required]";
                await Console.Out.WriteLineAsync(
                    $"{d.Id}  {d.BaseUrl}  {d.Options.Name}  capacity {d.Options.Capacity}, service {d.Options.ServiceTime.TotalMilliseconds} ms, stock {d.Stock}  {d.Behavior}{auth}").ConfigureAwait(false);
            }

            if (commandLine.RegistryOut is { } path)
            {
                await File.WriteAllTextAsync(path, fleet.ToRegistryJson(), CancellationToken.None).ConfigureAwait(false);
                await Console.Out.WriteLineAsync($"registry written to {path}").ConfigureAwait(false);
            }

            await Console.Out.WriteLineAsync($"{fleet.Distributors.Count} distributors running; Ctrl+C to stop.").ConfigureAwait(false);
            try
            {
                await Task.Delay(Timeout.Infinite, stop.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // Ctrl+C or SIGTERM: stop the listeners below.
            }
        }

        return 0;
    }
}
