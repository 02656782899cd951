using System.Data.Common;
using System.Text.Json;
using Meterai.Gateway.Distributors;
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
/// order found is refunded, an issued one recorded as delivered (the distributor spec allows no
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
    /// <summary>One sweep: watch the new orphans, then look up those due.</summary>
    /// <exception cref="DbException">The ledger could not be read; what was written is safe to redo.</exception>
    public async Task<OrphanTally> RunOnceAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await orphans.EnlistAsync(now - options.OrphanHorizon, now, cancellationToken);
        var tally = new OrphanTally();
        foreach (var orphan in await orphans.FindDueAsync(now, options.BatchSize, cancellationToken))
        {
            try
            {
                tally.Add(await CheckAsync(orphan, cancellationToken));
            }
            catch (Exception ex) when (ex is DbException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
            {
                // The claim moved its next look-up, or nothing was written: either way it comes back.
                ReconcilerLog.PurchaseFailed(logger, ex, orphan.PurchaseId);
            }
        }

        return tally;
    }

    private async Task<string?> CheckAsync(WatchedOrphan orphan, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!await orphans.ClaimCheckAsync(orphan, now + options.BackoffAfter(orphan.Checks + 1), now, cancellationToken))
        {
            return null;
        }

        if (orphan.PurchaseStatus == PurchaseStatus.InProgress)
        {
            return null; // a try is under way; the claim moved the next look-up past it
        }

        if (orphan.PurchaseDistributorId == orphan.DistributorId && orphan.PurchaseStatus != PurchaseStatus.Unavailable)
        {
            return await CloseAsync(orphan, OrphanStatus.Adopted, null, null, now, cancellationToken);
        }

        if (now >= DateTimeOffset.FromUnixTimeMilliseconds(orphan.SentAt) + options.OrphanHorizon)
        {
            ReconcilerLog.OrphanUnseen(logger, orphan.PurchaseId, orphan.DistributorId, options.OrphanHorizonHours);
            return await CloseAsync(orphan, OrphanStatus.Unseen, null, null, now, cancellationToken);
        }

        var distributor = fleet.TryGet(orphan.DistributorId, out var state)
            ? state.Entry
            : await ledger.FindContactAsync(orphan.DistributorId, cancellationToken);
        if (distributor is null)
        {
            return null;
        }

        var found = await lookup.LookUpAsync(distributor, new OrderQuery(orphan.PurchaseId, orphan.Quantity, KnownOrderId: null, ByKey: true), call, cancellationToken);
        if (found.Usable is not { } order)
        {
            return null; // none yet, or no usable answer: a slow distributor may still create it
        }

        switch (order.Status)
        {
            case DistributorOrderStatus.Refunded:
                return await CloseAsync(orphan, OrphanStatus.Refunded, order.OrderId, order.Amount, now, cancellationToken);
            case DistributorOrderStatus.Issued:
                return await DeliveredAsync(orphan, order, now, cancellationToken);
            default:
                return await RefundAsync(orphan, distributor, order, now, cancellationToken);
        }
    }

    private async Task<string?> RefundAsync(WatchedOrphan orphan, DistributorEntry distributor, DistributorOrder order, DateTimeOffset now, CancellationToken cancellationToken)
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
            return null;
        }

        switch (answer)
        {
            case RefundAnswer.Refunded:
                ReconcilerLog.OrphanRefunded(logger, orphan.PurchaseId, distributor.Id, order.OrderId!);
                return await CloseAsync(orphan, OrphanStatus.Refunded, order.OrderId, order.Amount, now, cancellationToken);
            case RefundAnswer.AlreadyIssued:
                // Issued in the meantime: 409, no refund is possible (distributor spec).
                return await DeliveredAsync(orphan, order, now, cancellationToken);
            default:
                ReconcilerLog.RefundUnknownOrder(logger, orphan.PurchaseId, distributor.Id, order.OrderId!);
                return null;
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
internal sealed class OrphanTally
{
    public int Refunded { get; private set; }

    public int Delivered { get; private set; }

    public void Add(string? closedAs)
    {
        if (closedAs == OrphanStatus.Refunded)
        {
            Refunded++;
        }
        else if (closedAs == OrphanStatus.Delivered)
        {
            Delivered++;
        }
    }
}
