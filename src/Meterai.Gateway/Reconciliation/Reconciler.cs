using System.Data.Common;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Purchases;
using Meterai.Gateway.Resilience;
using Microsoft.Extensions.Options;
using Polly;

namespace Meterai.Gateway.Reconciliation;

/// <summary>
/// Follows up every purchase that is not final until it is: one pass reads the due purchases and
/// hands each to <see cref="PurchaseReconciler"/>, the state machine of one purchase.
/// </summary>
/// <remarks>
/// <para>
/// A pass reads the due purchases (<c>next_check_at</c> passed), oldest first, at most
/// <see cref="ReconciliationOptions.BatchSize"/>. Each check is first claimed in the ledger, then the
/// distributor is called, then the outcome is written guarded by the state that was read. So two
/// passes, in one gateway or in several sharing the ledger, never both act on one purchase, and a
/// gateway that dies mid-check leaves the purchase due again after its backoff.
/// </para>
/// <para>
/// Purchases are worked per distributor, at most <see cref="ReconciliationOptions.MaxParallelismPerDistributor"/>
/// calls to one distributor and <see cref="ReconciliationOptions.MaxParallelism"/> in all, each call
/// cut off by a Polly timeout: a slow or dead distributor occupies only its own share, and after
/// a few failed calls in a row the rest of its purchases wait for their next check uncalled.
/// </para>
/// <para>
/// A distributor that left the registry is still owed its follow-ups: its purchases are worked at
/// its last known address, which every pass keeps current in the ledger from the registry.
/// </para>
/// </remarks>
internal sealed class Reconciler
{
    private readonly ReconciliationLedger _ledger;
    private readonly DistributorFleet _fleet;
    private readonly ReconciliationOptions _options;
    private readonly TimeSpan _requestLifetime;
    private readonly TimeProvider _time;
    private readonly ILogger<Reconciler> _logger;
    private readonly PurchaseReconciler _purchases;
    private readonly OrphanSweep _orphans;
    private IReadOnlyList<DistributorState>? _savedContacts;

    public Reconciler(
        ReconciliationLedger ledger,
        OrphanLedger orphans,
        DistributorFleet fleet,
        DistributorClient client,
        OrderLookup lookup,
        IOptions<ReconciliationOptions> options,
        IOptions<PurchasingOptions> purchasing,
        TimeProvider time,
        ILogger<Reconciler> logger,
        ResiliencePipelines? pipelines = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(purchasing);
        _ledger = ledger;
        _fleet = fleet;
        _options = options.Value;
        _requestLifetime = ReconciliationOptions.RequestLifetime(purchasing.Value);
        _time = time;
        _logger = logger;

        var call = pipelines?.Get(ResiliencePipelines.Reconciliation)
            ?? ConfigureCalls(new ResiliencePipelineBuilder { TimeProvider = time }, _options).Build();
        _purchases = new PurchaseReconciler(ledger, lookup, client, _options, call, time, logger);
        _orphans = new OrphanSweep(orphans, ledger, fleet, lookup, client, _options, call, time, logger);
    }

    /// <summary>The shape of the reconciliation pipeline (registered in <c>AddReconciliation</c>).</summary>
    internal static ResiliencePipelineBuilder ConfigureCalls(ResiliencePipelineBuilder builder, ReconciliationOptions options) =>
        // No retry here: the backoff schedule across passes is the retry.
        builder.AddTimeout(options.CallTimeout);

    /// <summary>One reconciliation pass over the purchases due now.</summary>
    /// <exception cref="DbException">The ledger could not be read; nothing was changed.</exception>
    public async Task<ReconciliationPass> RunOnceAsync(CancellationToken cancellationToken)
    {
        await SaveContactsAsync(cancellationToken);
        var now = _time.GetUtcNow();
        var due = await _ledger.FindDueAsync(now, now - _requestLifetime, _options.BatchSize, cancellationToken);
        var tally = new Tally();
        if (due.Count > 0)
        {
            using var slots = new SemaphoreSlim(_options.MaxParallelism);
            await Task.WhenAll(due
                .GroupBy(p => p.DistributorId ?? "", StringComparer.Ordinal)
                .Select(group => ReconcileDistributorAsync(group.Key, group.ToList(), slots, tally, cancellationToken)));
        }

        var pass = tally.ToPass(due.Count);
        if (pass.Examined > 0)
        {
            ReconcilerLog.Pass(_logger, pass.Examined, pass.Issued, pass.RefundsDue, pass.Refunded, pass.NothingCharged, pass.StillOpen, pass.Contended, pass.Errors);
        }

        // After the purchases: a purchase this pass released or settled elsewhere is watched at once.
        var orphans = await _orphans.RunOnceAsync(cancellationToken);
        if (orphans.Refunded + orphans.Delivered > 0)
        {
            ReconcilerLog.OrphanPass(_logger, orphans.Refunded, orphans.Delivered);
        }

        return pass with { OrphansRefunded = orphans.Refunded, OrphansDelivered = orphans.Delivered };
    }

    /// <summary>Keeps the ledger's last known contacts current, once per registry load (the demo fleet's ports do not outlive the process).</summary>
    private async Task SaveContactsAsync(CancellationToken cancellationToken)
    {
        var registered = _fleet.All;
        if (ReferenceEquals(registered, Volatile.Read(ref _savedContacts)) || _fleet.IsDemo || registered.Count == 0)
        {
            return;
        }

        await _ledger.SaveContactsAsync(registered.Select(d => d.Entry).ToList(), _time.GetUtcNow(), cancellationToken);
        Volatile.Write(ref _savedContacts, registered);
    }

    private async Task<DistributorEntry?> DistributorAsync(string distributorId, int purchases, CancellationToken cancellationToken)
    {
        if (_fleet.TryGet(distributorId, out var state))
        {
            return state.Entry;
        }

        var departed = await _ledger.FindContactAsync(distributorId, cancellationToken);
        if (departed is null)
        {
            ReconcilerLog.UnknownDistributor(_logger, distributorId, purchases);
        }
        else
        {
            ReconcilerLog.DepartedDistributor(_logger, distributorId, purchases);
        }

        return departed;
    }

    private async Task ReconcileDistributorAsync(string distributorId, List<OpenPurchase> purchases, SemaphoreSlim slots, Tally tally, CancellationToken cancellationToken)
    {
        DistributorEntry? distributor = null;
        if (distributorId.Length > 0)
        {
            try
            {
                distributor = await DistributorAsync(distributorId, purchases.Count, cancellationToken);
            }
            catch (DbException ex) when (!cancellationToken.IsCancellationRequested)
            {
                ReconcilerLog.PurchaseFailed(_logger, ex, purchases[0].PurchaseId);
            }
        }

        var failedInARow = new StrongBox<int>();
        var parallel = new ParallelOptions
        {
            MaxDegreeOfParallelism = Math.Min(_options.MaxParallelismPerDistributor, distributor?.MaxConcurrency ?? int.MaxValue),
            CancellationToken = cancellationToken,
        };
        await Parallel.ForEachAsync(purchases, parallel, async (purchase, token) =>
        {
            await slots.WaitAsync(token);
            try
            {
                var giveUp = (distributorId.Length > 0 && distributor is null)
                    || Volatile.Read(ref failedInARow.Value) >= _options.FailuresBeforeSkippingDistributor;
                var result = giveUp ? await _purchases.DeferAsync(purchase, token) : await _purchases.ReconcileAsync(purchase, distributor, token);
                if (result.CallFailed)
                {
                    if (Interlocked.Increment(ref failedInARow.Value) == _options.FailuresBeforeSkippingDistributor)
                    {
                        ReconcilerLog.SkippingDistributor(_logger, distributorId, _options.FailuresBeforeSkippingDistributor);
                    }
                }
                else if (result.Called)
                {
                    Volatile.Write(ref failedInARow.Value, 0);
                }

                tally.Add(result.Outcome);
            }
            catch (Exception ex) when (ex is DbException or InvalidOperationException && !token.IsCancellationRequested)
            {
                // The claim moved its next check, or nothing was written: either way it comes back.
                ReconcilerLog.PurchaseFailed(_logger, ex, purchase.PurchaseId);
                tally.Add(CheckOutcome.Error);
            }
            finally
            {
                slots.Release();
            }
        });
    }
}
