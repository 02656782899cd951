using Meterai.Gateway.Kernel;
using Meterai.Gateway.Ledger;

namespace Meterai.Gateway.Reconciliation;

/// <summary>What one reconciliation pass did, purchase by purchase, by the state each was left in.</summary>
/// <param name="Examined">Due purchases read.</param>
/// <param name="Issued">Now issued, serials recorded.</param>
/// <param name="RefundsDue">Now refund_due, the refund not yet confirmed.</param>
/// <param name="Refunded">Refund confirmed by the distributor.</param>
/// <param name="NothingCharged">Found never charged; now unavailable, the key free again.</param>
/// <param name="StillOpen">Checked, still open; due again after its backoff.</param>
/// <param name="Contended">Changed by another pass or gateway first; left to it.</param>
/// <param name="Errors">Failed on the ledger; due again after its backoff.</param>
/// <param name="OrphansRefunded">Orders charged for purchases sold elsewhere or released, refunded by the orphan sweep.</param>
/// <param name="OrphansDelivered">Such orders found issued: not refundable, owed as a credit.</param>
internal sealed record ReconciliationPass(
    int Examined, int Issued, int RefundsDue, int Refunded, int NothingCharged, int StillOpen, int Contended, int Errors, int OrphansRefunded = 0, int OrphansDelivered = 0);

/// <summary>The state one purchase was left in by a check.</summary>
internal enum CheckOutcome
{
    Issued,
    RefundDue,
    Refunded,
    NothingCharged,
    StillOpen,
    Contended,
    Error,
}

internal static class CheckOutcomes
{
    /// <summary>The outcome a purchase's status stands for once a check wrote it.</summary>
    public static CheckOutcome Of(string status) => status switch
    {
        PurchaseStatus.Issued => CheckOutcome.Issued,
        PurchaseStatus.RefundDue => CheckOutcome.RefundDue,
        PurchaseStatus.Refunded => CheckOutcome.Refunded,
        PurchaseStatus.Unavailable => CheckOutcome.NothingCharged,
        _ => CheckOutcome.StillOpen,
    };
}

internal readonly record struct CheckResult(CheckOutcome Outcome, bool Called = false, bool CallFailed = false);

/// <summary>One purchase being reconciled: its row as last written, and what happened on the way.</summary>
internal sealed class PurchaseCheck(OpenPurchase purchase)
{
    public OpenPurchase Purchase { get; } = purchase;

    public bool Called { get; set; }

    public bool CallFailed { get; set; }

    public bool Contended { get; set; }

    public CheckResult Finish(CheckOutcome outcome) => new(outcome, Called, CallFailed);
}

internal sealed class StrongBox<T>
{
    public T Value = default!;
}

internal sealed class Tally
{
    private readonly int[] _counts = new int[Enum.GetValues<CheckOutcome>().Length];

    public void Add(CheckOutcome outcome) => Interlocked.Increment(ref _counts[(int)outcome]);

    public ReconciliationPass ToPass(int examined) => new(
        examined,
        _counts[(int)CheckOutcome.Issued],
        _counts[(int)CheckOutcome.RefundDue],
        _counts[(int)CheckOutcome.Refunded],
        _counts[(int)CheckOutcome.NothingCharged],
        _counts[(int)CheckOutcome.StillOpen],
        _counts[(int)CheckOutcome.Contended],
        _counts[(int)CheckOutcome.Error]);
}
