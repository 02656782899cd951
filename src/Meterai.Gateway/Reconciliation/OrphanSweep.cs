using System.Data.Common;
using System.Text.Json;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Kernel;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Purchases;
using Polly;
using Polly.Timeout;

namespace Meterai.Gateway.Reconciliation;

/// <summary>
/// Refunds orders nobody else would: a distributor that got an attempt without a definite answer
/// (ambiguous, or lost with its gateway) and was slower than the whole delivery deadline may create
/// and charge the order after the purchase was released and sold by another distributor. Each
/// such distributor is asked by key, on the reconciliation backoff, for
/// <see cref="ReconciliationOptions.OrphanHorizonHours"/> after the attempt; a pending or failed
/// order found is refunded, an issued one recorded as delivered (the docs/api/distributor-api.md allows no
/// refund of it: the distributor owes a credit, and the oversight report says so).
/// </summary>
/// <remarks>
/// A purchase the distributor holds again (the applicant's retry went back to it) is its own
/// purchase, adopted by <see cref="PurchaseReconciler"/>; a purchase in_progress is left until
/// its try ends, so the sweep never refunds an order a live request is about to be answered with.
/// </remarks>
internal sealed class OrphanSweep(
    OrphanLedger orphans,
    ReconciliationLedger ledger,
    DistributorFleet fleet,
    OrderLookup lookup,
    DistributorClient client,
    ReconciliationOptions options,
    ResiliencePipeline call,
    TimeProvider time,
    ILogger logger)
{
    /// <summary>One sweep: watch the new orphans, then look up those due, one distributor's at a time each.</summary>
    /// <remarks>
    /// Distributors are swept side by side within <see cref="ReconciliationOptions.MaxParallelism"/>,
    /// and one whose calls fail <see cref="ReconciliationOptions.FailuresBeforeSkippingDistributor"/>
    /// times in a row is left for the next pass: a dead distributor must not hold up the pass.
    /// </remarks>
    /// <exception cref="DbException">The ledger could not be read; what was written is safe to redo.</exception>
    public async Task<OrphanTally> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await orphans.EnlistAsync(now - options.OrphanHorizon, now, cancellationToken);
        var due = await orphans.FindDueAsync(now, options.BatchSize, cancellationToken);
        var tally = new OrphanTally();
        using var slots = new SemaphoreSlim(options.MaxParallelism);
        await Task.WhenAll(due
            .GroupBy(o => o.DistributorId, StringComparer.Ordinal)
            .Select(group => SweepDistributorAsync(group.Key, group.ToList(), slots, tally, cancellationToken)));
        return tally;
    }

    private async Task SweepDistributorAsync(string distributorId, List<WatchedOrphan> due, SemaphoreSlim slots, OrphanTally tally, CancellationToken cancellationToken)
    {
        DistributorEntry? distributor = null;
        var failedInARow = 0;
        foreach (var orphan in due)
        {
            await slots.WaitAsync(cancellationToken);
            try
            {
                distributor ??= fleet.TryGet(distributorId, out var state) ? state.Entry : await ledger.FindContactAsync(distributorId, cancellationToken);
                var (closedAs, callFailed) = await CheckAsync(orphan, distributor, cancellationToken);
                tally.Add(closedAs);
                failedInARow = callFailed ? failedInARow + 1 : 0;
                if (failedInARow >= options.FailuresBeforeSkippingDistributor)
                {
                    ReconcilerLog.SkippingDistributor(logger, distributorId, failedInARow);
                    return; // the rest stay due: next pass
                }
            }
            catch (Exception ex) when (ex is DbException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
            {
                // The claim moved its next look-up, or nothing was written: either way it comes back.
                ReconcilerLog.PurchaseFailed(logger, ex, orphan.PurchaseId);
            }
            finally
            {
                slots.Release();
            }
        }
    }

    /// <returns>How the watch ended (null: still watched), and whether a distributor call failed.</returns>
    private async Task<(string? ClosedAs, bool CallFailed)> CheckAsync(WatchedOrphan orphan, DistributorEntry? distributor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!await orphans.ClaimCheckAsync(orphan, now + options.BackoffAfter(orphan.Checks + 1), now, cancellationToken))
        {
            return (null, false);
        }

        if (orphan.PurchaseStatus == PurchaseStatus.InProgress)
        {
            return (null, false); // a try is under way; the claim moved the next look-up past it
        }

        if (orphan.PurchaseDistributorId == orphan.DistributorId && orphan.PurchaseStatus != PurchaseStatus.Unavailable)
        {
            return (await CloseAsync(orphan, OrphanStatus.Adopted, null, null, now, cancellationToken), false);
        }

        if (now >= DateTimeOffset.FromUnixTimeMilliseconds(orphan.SentAt) + options.OrphanHorizon)
        {
            ReconcilerLog.OrphanUnseen(logger, orphan.PurchaseId, orphan.DistributorId, options.OrphanHorizonHours);
            return (await CloseAsync(orphan, OrphanStatus.Unseen, null, null, now, cancellationToken), false);
        }

        if (distributor is null)
        {
            return (null, false); // never seen in any registry: nobody to ask
        }

        var found = await lookup.LookUpAsync(distributor, new OrderQuery(orphan.PurchaseId, orphan.Quantity, KnownOrderId: null, ByKey: true), call, cancellationToken);
        if (found.Failure is { } failure)
        {
            ReconcilerLog.CallFailed(logger, orphan.PurchaseId, distributor.Id, "orphan look-up by key", failure.GetType().Name, failure.Message);
            return (null, true);
        }

        if (found.Usable is not { } order)
        {
            return (null, false); // none yet, or no usable answer: a slow distributor may still create it
        }

        return order.Status switch
        {
            DistributorOrderStatus.Refunded => (await CloseAsync(orphan, OrphanStatus.Refunded, order.OrderId, order.Amount, now, cancellationToken), false),
            DistributorOrderStatus.Issued => (await DeliveredAsync(orphan, order, now, cancellationToken), false),
            _ => await RefundAsync(orphan, distributor, order, now, cancellationToken),
        };
    }

    private async Task<(string? ClosedAs, bool CallFailed)> RefundAsync(WatchedOrphan orphan, DistributorEntry distributor, DistributorOrder order, DateTimeOffset now, CancellationToken cancellationToken)
    {
        RefundAnswer answer;
        try
        {
            answer = await call.ExecuteAsync(
                static async (s, token) => await s.Client.RequestRefundAsync(s.Distributor, s.OrderId, token),
                (Client: client, Distributor: distributor, OrderId: order.OrderId!),
                cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or JsonException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            ReconcilerLog.CallFailed(logger, orphan.PurchaseId, distributor.Id, "orphan refund", ex.GetType().Name, ex.Message);
            return (null, true);
        }

        switch (answer)
        {
            case RefundAnswer.Refunded:
                ReconcilerLog.OrphanRefunded(logger, orphan.PurchaseId, distributor.Id, order.OrderId!);
                return (await CloseAsync(orphan, OrphanStatus.Refunded, order.OrderId, order.Amount, now, cancellationToken), false);
            case RefundAnswer.AlreadyIssued:
                // Issued in the meantime: 409, no refund is possible (docs/api/distributor-api.md).
                return (await DeliveredAsync(orphan, order, now, cancellationToken), false);
            default:
                ReconcilerLog.RefundUnknownOrder(logger, orphan.PurchaseId, distributor.Id, order.OrderId!);
                return (null, false);
        }
    }

    private async Task<string?> DeliveredAsync(WatchedOrphan orphan, DistributorOrder order, DateTimeOffset now, CancellationToken cancellationToken)
    {
        ReconcilerLog.OrphanDelivered(logger, orphan.PurchaseId, orphan.DistributorId, order.OrderId!);
        return await CloseAsync(orphan, OrphanStatus.Delivered, order.OrderId, order.Amount, now, cancellationToken);
    }

    private async Task<string?> CloseAsync(WatchedOrphan orphan, string status, string? orderId, long? amount, DateTimeOffset now, CancellationToken cancellationToken) =>
        await orphans.CloseAsync(orphan, status, orderId, amount, now, cancellationToken) ? status : null;
}

/// <summary>What one orphan sweep ended, by how.</summary>
/// <remarks>Added to by distributors swept side by side, hence Interlocked.</remarks>
internal sealed class OrphanTally
{
    private int _refunded;
    private int _delivered;

    public int Refunded => Volatile.Read(ref _refunded);

    public int Delivered => Volatile.Read(ref _delivered);

    public void Add(string? closedAs)
    {
        if (closedAs == OrphanStatus.Refunded)
        {
            Interlocked.Increment(ref _refunded);
        }
        else if (closedAs == OrphanStatus.Delivered)
        {
            Interlocked.Increment(ref _delivered);
        }
    }
}
