using Meterai.Gateway.Distributors;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Purchases;
using Meterai.Gateway.Reconciliation;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Tests.Reconciliation;

/// <summary>A reconciler over a running gateway's own ledger, fleet and distributor clients, on a clock of the test's.</summary>
internal static class GatewayReconciler
{
    public static Reconciler For(GatewayHarness gateway, TimeProvider time) =>
        new(
            gateway.Services.GetRequiredService<ReconciliationLedger>(),
            gateway.Services.GetRequiredService<OrphanLedger>(),
            gateway.Services.GetRequiredService<DistributorFleet>(),
            gateway.Services.GetRequiredService<DistributorClient>(),
            gateway.Services.GetRequiredService<OrderLookup>(),
            Options.Create(new ReconciliationOptions()),
            Options.Create(new PurchasingOptions()),
            time,
            NullLogger<Reconciler>.Instance);
}
