using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Meterai.Gateway.Ledger;

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
