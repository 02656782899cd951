using Meterai.Gateway.Ledger;
using Meterai.Gateway.Purchases;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Reconciliation;

/// <summary>
/// What is open, for <c>meterai_purchases_unresolved</c> and <c>meterai_refunds_due</c>: purchases
/// charged or possibly charged and not final (pending, refund_due, and in_progress rows older than
/// any live request could keep them), and among them the refunds due.
/// </summary>
internal sealed class UnresolvedPurchases(ReconciliationLedger ledger, IOptions<PurchasingOptions> purchasing, TimeProvider time)
{
    private readonly TimeSpan _requestLifetime = ReconciliationOptions.RequestLifetime(purchasing.Value);

    public Task<(long Unresolved, long RefundsDue)> CountAsync(CancellationToken cancellationToken) =>
        ledger.CountOpenAsync(time.GetUtcNow() - _requestLifetime, cancellationToken);
}
