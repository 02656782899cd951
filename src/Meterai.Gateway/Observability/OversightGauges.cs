using System.Collections.Frozen;

namespace Meterai.Gateway.Observability;

/// <summary>
/// Where the gauges that only the ledger knows (open money, open flags) are fed. The metrics
/// never query the ledger themselves: a poller outside Observability reads it on an interval
/// and publishes what it found, so a scrape stays cheap however often Prometheus asks.
/// </summary>
internal interface IOversightGauges
{
    void Publish(OversightReading reading);
}

/// <summary>One reading of the ledger for the gauges.</summary>
/// <param name="OpenFlagsByReason">Every known reason, 0 when none is open: each is a series from the first scrape.</param>
/// <param name="FlaggedDistributors">Distributors with a flag open: <c>meterai_distributor_active</c> is 0 for them.</param>
internal sealed record OversightReading(
    long Unresolved,
    long RefundsDue,
    IReadOnlyDictionary<string, int> OpenFlagsByReason,
    IReadOnlySet<string> FlaggedDistributors)
{
    public static readonly OversightReading Empty = new(0, 0, FrozenDictionary<string, int>.Empty, FrozenSet<string>.Empty);
}
