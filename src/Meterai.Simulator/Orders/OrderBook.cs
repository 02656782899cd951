using System.Globalization;

namespace Meterai.Simulator;

internal enum PlaceOutcome
{
    Created,
    Replayed,
    KeyReusedWithOtherBody,
    OutOfStock,
}

internal readonly record struct PlaceResult(PlaceOutcome Outcome, OrderRecord? Order, bool FailAfterCharge);

internal enum RefundOutcome
{
    Refunded,
    NotFound,
    AlreadyIssued,
}

/// <summary>
/// Stock and orders of one distributor. Checking the idempotency key, checking stock, charging and recording
/// happen under one lock, so concurrent duplicates of a key create exactly one order and stock never goes negative.
/// </summary>
internal sealed class OrderBook
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, OrderRecord> _byId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, OrderRecord> _byKey = new(StringComparer.Ordinal);
    private readonly List<OrderRecord> _all = [];
    private readonly string _distributorId;
    private readonly string _runToken;
    private readonly int _unitPrice;
    private readonly TimeProvider _time;
    private readonly SharedRandom _random;
    private int _stock;
    private long _sequence;
    private int _refunds;

    public OrderBook(string distributorId, int initialStock, int unitPrice, TimeProvider time, SharedRandom random)
    {
        _distributorId = distributorId;
        _unitPrice = unitPrice;
        _time = time;
        _random = random;
        _stock = initialStock;

        // Order ids must not repeat across runs: a gateway may keep ids in its database between simulator runs.
        _runToken = Guid.NewGuid().ToString("N")[..6];
    }

    public int Stock => Volatile.Read(ref _stock);

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _all.Count;
            }
        }
    }

    public int RefundsMade => Volatile.Read(ref _refunds);

    public void ResetRefundCount() => Volatile.Write(ref _refunds, 0);

    public void SetStock(int available)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(available);
        lock (_gate)
        {
            _stock = available;
        }
    }

    public PlaceResult Place(string idempotencyKey, int quantity, string applicantRef, DistributorBehavior behavior)
    {
        lock (_gate)
        {
            if (_byKey.TryGetValue(idempotencyKey, out var existing))
            {
                return existing.Matches(quantity, applicantRef)
                    ? new PlaceResult(PlaceOutcome.Replayed, existing, FailAfterCharge: false)
                    : new PlaceResult(PlaceOutcome.KeyReusedWithOtherBody, existing, FailAfterCharge: false);
            }

            if (behavior.Idle == IdleMode.NoStock || _stock < quantity)
            {
                return new PlaceResult(PlaceOutcome.OutOfStock, null, FailAfterCharge: false);
            }

            var now = _time.GetUtcNow();
            var failAfterCharge = Roll(behavior.ChargeThenFailRate);
            var stuck = !failAfterCharge && Roll(behavior.StuckPendingRate);

            DateTimeOffset? pendingUntil = null;
            var settled = OrderStatus.Issued;
            if (failAfterCharge)
            {
                settled = behavior.ChargeThenFailOrderStatus;
            }

            // A pending order (stuck, or charge-then-fail left pending) stays so for StuckPendingFor, then settles.
            if (stuck || settled == OrderStatus.Pending)
            {
                pendingUntil = now + behavior.StuckPendingFor;
                settled = behavior.StuckPendingOutcome;
            }

            var sequence = ++_sequence;
            var orderId = string.Create(CultureInfo.InvariantCulture, $"{_distributorId}-{_runToken}-{sequence:D6}");
            var serials = new string[quantity];
            for (var i = 0; i < quantity; i++)
            {
                serials[i] = string.Create(CultureInfo.InvariantCulture, $"EMT-{_distributorId.ToUpperInvariant()}-{_runToken.ToUpperInvariant()}-{sequence:D6}-{i + 1:D2}");
            }

            var order = new OrderRecord(orderId, idempotencyKey, quantity, quantity * _unitPrice, applicantRef, now, pendingUntil, settled, serials);
            _stock -= quantity;
            _byKey.Add(idempotencyKey, order);
            _byId.Add(orderId, order);
            _all.Add(order);
            return new PlaceResult(PlaceOutcome.Created, order, failAfterCharge);
        }
    }

    public OrderRecord? FindById(string orderId)
    {
        lock (_gate)
        {
            return _byId.GetValueOrDefault(orderId);
        }
    }

    public OrderRecord? FindByKey(string idempotencyKey)
    {
        lock (_gate)
        {
            return _byKey.GetValueOrDefault(idempotencyKey);
        }
    }

    public (RefundOutcome Outcome, OrderRecord? Order) Refund(string orderId)
    {
        lock (_gate)
        {
            if (!_byId.TryGetValue(orderId, out var order))
            {
                return (RefundOutcome.NotFound, null);
            }

            var status = order.StatusAt(_time.GetUtcNow());
            if (status == OrderStatus.Issued)
            {
                return (RefundOutcome.AlreadyIssued, order);
            }

            if (order.MarkRefunded())
            {
                // Nothing was delivered, so the e-Meterai go back on sale.
                _stock += order.Quantity;
                Interlocked.Increment(ref _refunds);
            }

            return (RefundOutcome.Refunded, order);
        }
    }

    public IReadOnlyList<SimulatedOrder> Snapshot()
    {
        var now = _time.GetUtcNow();
        lock (_gate)
        {
            return _all.Select(o => o.Snapshot(now)).ToArray();
        }
    }

    private bool Roll(double rate) => rate > 0 && _random.NextDouble() < rate;
}
