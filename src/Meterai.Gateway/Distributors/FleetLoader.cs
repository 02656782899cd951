using Meterai.Simulator;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Distributors;

/// <summary>
/// Announces the registry file's fleet (loaded and validated before the host was built), or, when
/// there is none, starts the built-in demo fleet of 26 simulated distributors in this process.
/// </summary>
internal sealed partial class FleetLoader(
    DistributorFleet fleet,
    IOptions<DistributorOptions> options,
    TimeProvider time,
    ILogger<FleetLoader> logger) : IHostedService, IAsyncDisposable
{
    private SimulatedFleet? _demo;

    public async Task StartAsync(CancellationToken cancellationToken)
    {
        if (fleet.IsLoaded)
        {
            LogRegistryLoaded(logger, options.Value.File!, fleet.All.Count);
            return;
        }

        _demo = await SimulatedFleet.StartAsync(DemoFleet.Create(), time, ct: cancellationToken);
        var demoEntries = _demo.Distributors
            .Select(d => new DistributorEntry(d.Id, d.Options.Name, d.BaseUrl, d.Options.ApiKey, d.Options.Capacity))
            .ToList();
        fleet.Load(demoEntries, isDemo: true);
        LogDemoFleet(logger, demoEntries.Count, DemoFleet.Selling);
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async ValueTask DisposeAsync()
    {
        if (_demo is not null)
        {
            await _demo.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Distributor registry {File}: {Count} distributors")]
    private static partial void LogRegistryLoaded(ILogger logger, string file, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "DEMO FLEET: no Distributors:File is set, so {Count} simulated distributors run inside this process ({Selling} of them sell). Purchases here are not real; set Distributors:File to route to real distributors.")]
    private static partial void LogDemoFleet(ILogger logger, int count, int selling);
}
