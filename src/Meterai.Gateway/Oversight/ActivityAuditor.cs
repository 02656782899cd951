using System.Text.Json;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Probing;
using Meterai.Gateway.Reconciliation;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Oversight;

/// <summary>
/// Decides which distributors are active: gathers each one's evidence over the audit window,
/// applies <see cref="ActivityRules"/>, and opens or resolves flags. Run hourly by
/// <see cref="ActivityAuditJob"/> and on demand by operators.
/// </summary>
internal sealed partial class ActivityAuditor(
    DistributorFleet fleet,
    ProbeHistory probes,
    OversightStore store,
    IOptions<OversightOptions> options,
    IOptions<ReconciliationOptions> reconciliation,
    IOptions<ProbingOptions> probing,
    TimeProvider time,
    ILogger<ActivityAuditor> logger) : IDisposable
{
    // One audit at a time in this process; the flags' unique open index keeps several gateways consistent.
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<AuditResult> RunAsync(CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken);
        try
        {
            var rules = options.Value;
            var to = time.GetUtcNow();
            var from = to - rules.AuditWindow;
            var evidence = await GatherAsync(from, to, cancellationToken);
            var fleetOrders = evidence.Values.Sum(e => e.OrdersIssued);
            var openFlags = (await store.GetFlagsAsync(openOnly: true, cancellationToken)).ToLookup(f => f.DistributorId, StringComparer.Ordinal);
            var opened = new List<FlagView>();
            var resolved = new List<FlagView>();

            foreach (var distributor in fleet.All)
            {
                var own = evidence[distributor.Id];
                var findings = ActivityRules.Evaluate(own, fleetOrders - own.OrdersIssued, from, to, rules);
                var open = openFlags[distributor.Id].ToList();

                foreach (var finding in findings.Where(f => open.All(o => o.Reason != f.Reason)))
                {
                    var flagId = "flag_" + Guid.CreateVersion7(to).ToString("N");
                    if (await store.OpenFlagAsync(flagId, distributor.Id, finding.Reason, Serialize(finding.Evidence), to, cancellationToken))
                    {
                        opened.Add(new FlagView(flagId, distributor.Id, finding.Reason, finding.Evidence, to, null));
                        LogFlagOpened(logger, distributor.Id, finding.Reason, finding.Evidence.Summary);
                    }
                }

                foreach (var flag in open.Where(o => findings.All(f => f.Reason != o.Reason) && ActivityRules.Resolves(o.Reason, own, rules)))
                {
                    if (await store.ResolveFlagAsync(flag.FlagId, to, cancellationToken))
                    {
                        resolved.Add(ToView(flag) with { ResolvedAt = to });
                        LogFlagResolved(logger, distributor.Id, flag.Reason);
                    }
                }
            }

            LogAudited(logger, fleet.All.Count, opened.Count, resolved.Count);
            return new AuditResult(from, to, opened, resolved);
        }
        finally
        {
            _gate.Release();
        }
    }

    public void Dispose() => _gate.Dispose();

    /// <summary>Every registered distributor's evidence over a period; the audit and the report read the same numbers.</summary>
    public async Task<IReadOnlyDictionary<string, (ActivityEvidence Evidence, LedgerActivity Ledger)>> GatherDetailedAsync(
        DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken)
    {
        var summaries = await probes.GetSummaryAsync(from, to, cancellationToken);
        var undeliveredBefore = time.GetUtcNow() - TimeSpan.FromMinutes(reconciliation.Value.DeliveryDeadlineMinutes);
        var ledger = await store.GetActivityAsync(from, to, undeliveredBefore, cancellationToken);
        var overcharges = (await store.GetOverchargesAsync(from, to, cancellationToken)).ToLookup(o => o.DistributorId, StringComparer.Ordinal);
        var result = new Dictionary<string, (ActivityEvidence, LedgerActivity)>(StringComparer.Ordinal);
        var period = (to - from).TotalSeconds;
        foreach (var distributor in fleet.All)
        {
            var probe = summaries.TryGetValue(distributor.Id, out var s) ? s : null;
            var money = ledger.TryGetValue(distributor.Id, out var l) ? l : LedgerActivity.None;
            result[distributor.Id] = (
                new ActivityEvidence(
                    distributor.Id,
                    probe?.Probes ?? 0,
                    probe?.HealthyProbes ?? 0,
                    probe?.SoldOutProbes ?? 0,
                    money.OrdersIssued,
                    money.EMeteraiIssued,
                    money.Offers,
                    money.Refusals,
                    money.Undelivered,
                    Observed(probe?.Probes ?? 0, period, probing.Value),
                    overcharges[distributor.Id].ToList()),
                money);
        }

        return result;
    }

    /// <summary>
    /// How much of a period the gateway watched a distributor: each probe stands for one probe
    /// interval. Read from the probes, not the clock, so it holds across restarts and several
    /// gateways (one probe per interval whichever instance runs it).
    /// </summary>
    internal static double Observed(long probes, double periodSeconds, ProbingOptions probing) =>
        Math.Min(periodSeconds, probes * probing.Interval.TotalSeconds);

    public async Task<IReadOnlyDictionary<string, ActivityEvidence>> GatherAsync(DateTimeOffset from, DateTimeOffset to, CancellationToken cancellationToken) =>
        (await GatherDetailedAsync(from, to, cancellationToken)).ToDictionary(p => p.Key, p => p.Value.Evidence, StringComparer.Ordinal);

    internal static FlagView ToView(FlagRecord flag) => new(
        flag.FlagId,
        flag.DistributorId,
        flag.Reason,
        JsonSerializer.Deserialize(flag.Evidence, OversightJsonContext.Default.FlagEvidence)!,
        DateTimeOffset.FromUnixTimeMilliseconds(flag.OpenedAt),
        flag.ResolvedAt is { } resolvedAt ? DateTimeOffset.FromUnixTimeMilliseconds(resolvedAt) : null);

    private static string Serialize(FlagEvidence evidence) => JsonSerializer.Serialize(evidence, OversightJsonContext.Default.FlagEvidence);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Distributor {DistributorId} flagged {Reason}: {Summary}")]
    private static partial void LogFlagOpened(ILogger logger, string distributorId, string reason, string summary);

    [LoggerMessage(Level = LogLevel.Information, Message = "Distributor {DistributorId}: flag {Reason} resolved")]
    private static partial void LogFlagResolved(ILogger logger, string distributorId, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Activity audit of {Distributors} distributors: {Opened} flags opened, {Resolved} resolved")]
    private static partial void LogAudited(ILogger logger, int distributors, int opened, int resolved);
}
