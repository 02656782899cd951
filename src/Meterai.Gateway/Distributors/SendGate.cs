namespace Meterai.Gateway.Distributors;

/// <summary>
/// The orders actually sent to one distributor: never more at once than its limit. Purchases whose
/// attempt is already in the ledger wait here, first come first served, and are let through the
/// moment an order finishes.
/// </summary>
/// <remarks>
/// The point is to keep the ledger write off a slot's time. Under a retry storm an attempt record
/// takes 5–25 ms to commit on 2 busy cores (docs/benchmarks.md); written while the order before it
/// is still at the distributor, it costs the distributor nothing. A turn runs its waiter's
/// continuation synchronously, on the thread of the answer that freed it: the next order is on
/// the wire before that thread moves on, not after another wait in the thread pool's queue
/// (docs/benchmarks.md, "Where a storm's slot time went"). No lock is held while it runs.
/// </remarks>
internal sealed class SendGate
{
    private readonly LinkedList<TaskCompletionSource<bool>> _waiters = new();
    private readonly Lock _lock = new();
    private int _sending;

    public int Sending => Volatile.Read(ref _sending);

    public int Waiting
    {
        get
        {
            lock (_lock)
            {
                return _waiters.Count;
            }
        }
    }

    /// <summary>Lets one order through now if it is under <paramref name="limit"/> and nobody waits ahead; otherwise waits its turn.</summary>
    /// <returns>False when no turn came within <paramref name="timeout"/>: nothing was sent, nothing is held.</returns>
    public async ValueTask<bool> EnterAsync(int limit, TimeSpan timeout, TimeProvider time)
    {
        LinkedListNode<TaskCompletionSource<bool>> node;
        lock (_lock)
        {
            if (_waiters.Count == 0 && _sending < limit)
            {
                _sending++;
                return true;
            }

            node = _waiters.AddLast(new TaskCompletionSource<bool>());
        }

        try
        {
            return await node.Value.Task.WaitAsync(timeout, time);
        }
        catch (TimeoutException)
        {
            lock (_lock)
            {
                if (node.List is not null)
                {
                    _waiters.Remove(node);
                    return false;
                }
            }

            // Let through in the same instant it gave up: the turn is taken, so it is used.
            return await node.Value.Task;
        }
    }

    /// <summary>An order finished: its turn goes to the longest waiter while the limit allows.</summary>
    public void Exit(int limit)
    {
        lock (_lock)
        {
            _sending--;
        }

        Pump(limit);
    }

    /// <summary>Lets waiters through up to <paramref name="limit"/>: after an order finished, or the limit grew.</summary>
    public void Pump(int limit)
    {
        while (true)
        {
            TaskCompletionSource<bool> next;
            lock (_lock)
            {
                if (_waiters.First is not { } first || _sending >= limit)
                {
                    return;
                }

                _waiters.RemoveFirst();
                _sending++;
                next = first.Value;
            }

            next.TrySetResult(true);
        }
    }
}
