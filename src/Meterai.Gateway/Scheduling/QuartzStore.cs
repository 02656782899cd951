using Meterai.Gateway.Ledger;
using Quartz;

namespace Meterai.Gateway.Scheduling;

/// <summary>
/// Puts Quartz's persistent store in the ledger's own database, in the ledger's dialect
/// (<see cref="ILedgerDialect.UseForQuartz"/>), clustered wherever several gateways may share it.
/// </summary>
internal static class QuartzStore
{
    public static void Configure(IPersistentStoreBuilder store, ILedgerDialect dialect, string connectionString, SchedulingOptions options)
    {
        dialect.UseForQuartz(store, connectionString);
        if (dialect.Shareable)
        {
            // Gateways sharing one database share one schedule: each trigger is taken under a row
            // lock by one instance, and when an instance stops checking in, another recovers its
            // triggers. Unclustered schedulers on shared tables would each fire every job (and
            // corrupt each other's trigger states). The threshold equals the interval, so a dead
            // instance's jobs move within two check-in intervals of its last check-in.
            store.UseClustering(cluster =>
            {
                cluster.CheckinInterval = options.CheckinInterval;
                cluster.CheckinMisfireThreshold = options.CheckinInterval;
            });
        }

        // Quartz owns its schema, as the ledger owns its own: created when missing, never altered.
        store.ProvisionSchema();
        store.UseSystemTextJsonSerializer();
    }
}
