namespace Meterai.Simulator;

/// <summary>
/// One charged order. Its status is not stored but computed from the clock, so that "stuck pending" orders
/// resolve by themselves when a test advances its TimeProvider.
/// </summary>
internal sealed class OrderRecord
{
    private int _refunded;

    public OrderRecord(
        string orderId,
        string idempotencyKey,
        int quantity,
        int amount,
        string applicantRef,
        DateTimeOffset createdAt,
        DateTimeOffset? pendingUntil,
        OrderStatus settledStatus,
        IReadOnlyList<string> serials)
    {
        OrderId = orderId;
        IdempotencyKey = idempotencyKey;
        Quantity = quantity;
        Amount = amount;
        ApplicantRef = applicantRef;
        CreatedAt = createdAt;
        PendingUntil = pendingUntil;
        SettledStatus = settledStatus;
        AllocatedSerials = serials;
    }

    public string OrderId { get; }

    public string IdempotencyKey { get; }

    public int Quantity { get; }

    public int Amount { get; }

    public string ApplicantRef { get; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>Null when the order never was pending.</summary>
    public DateTimeOffset? PendingUntil { get; }

    /// <summary>Issued or Failed: what the order is once no longer pending.</summary>
    public OrderStatus SettledStatus { get; }

    /// <summary>Allocated at charge time; shown only while the order is issued.</summary>
    public IReadOnlyList<string> AllocatedSerials { get; }

    public bool IsRefunded => Volatile.Read(ref _refunded) == 1;

    public bool Matches(int quantity, string applicantRef) =>
        Quantity == quantity && string.Equals(ApplicantRef, applicantRef, StringComparison.Ordinal);

    public OrderStatus StatusAt(DateTimeOffset now)
    {
        if (IsRefunded)
        {
            return OrderStatus.Refunded;
        }

        return PendingUntil is { } until && now < until ? OrderStatus.Pending : SettledStatus;
    }

    public IReadOnlyList<string> SerialsFor(OrderStatus status) => status == OrderStatus.Issued ? AllocatedSerials : [];

    /// <summary>Marks the order refunded; true only for the call that did it.</summary>
    public bool MarkRefunded() => Interlocked.Exchange(ref _refunded, 1) == 0;

    public SimulatedOrder Snapshot(DateTimeOffset now)
    {
        var status = StatusAt(now);
        return new SimulatedOrder(OrderId, IdempotencyKey, Quantity, Amount, ApplicantRef, status, SerialsFor(status), CreatedAt);
    }
}
