using Meterai.Gateway.Distributors;
using Meterai.Gateway.Ledger;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Meterai.Gateway.Health;

/// <summary>/readyz: the ledger answers a query.</summary>
internal sealed class LedgerReadyCheck(PurchaseLedger ledger) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            return await ledger.IsReachableAsync(cancellationToken)
                ? HealthCheckResult.Healthy("ledger reachable")
                : HealthCheckResult.Unhealthy("ledger answered unexpectedly");
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // The exception type only: its message may carry a connection string.
            return HealthCheckResult.Unhealthy($"ledger unreachable ({ex.GetType().Name})");
        }
    }
}

/// <summary>/readyz: the distributor registry is loaded.</summary>
internal sealed class RegistryReadyCheck(DistributorFleet fleet) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(fleet.IsLoaded
            ? HealthCheckResult.Healthy($"{fleet.All.Count} distributors registered")
            : HealthCheckResult.Unhealthy("distributor registry not loaded yet"));
}
