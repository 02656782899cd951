using Meterai.Gateway.Distributors;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Meterai.Gateway.Health;

/// <summary>/readyz: the distributor registry is loaded.</summary>
internal sealed class RegistryReadyCheck(DistributorFleet fleet) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(fleet.IsLoaded
            ? HealthCheckResult.Healthy($"{fleet.All.Count} distributors registered")
            : HealthCheckResult.Unhealthy("distributor registry not loaded yet"));
}
