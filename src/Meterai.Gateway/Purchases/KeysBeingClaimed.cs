using System.Collections.Concurrent;

namespace Meterai.Gateway.Purchases;

/// <summary>
/// The Idempotency-Keys this gateway is deciding on now: from a request's first look at its key
/// until its claim is written (or it is refused). Another request with the same key waits for that
/// decision before its own admission check, so it finds the key claimed (409, or the replay) instead
/// of being refused as a newcomer by a full queue: the in-memory key filter
/// (<see cref="Ledger.KnownKeys"/>) learns a key only once its claim is written.
/// </summary>
/// <remarks>
/// One dictionary entry per request at the door, so a surge of new keys is still refused before any
/// ledger write. A key claimed on another gateway is not seen here; see <see cref="Ledger.KnownKeys"/>.
/// </remarks>
internal sealed class KeysBeingClaimed
{
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _deciding = new(StringComparer.Ordinal);

    /// <summary>This request's turn at the door for <paramref name="key"/>: first, or behind the request deciding it.</summary>
    public Turn Enter(string key)
    {
        var mine = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var deciding = _deciding.GetOrAdd(key, mine);
        return ReferenceEquals(deciding, mine) ? new Turn(this, key, mine) : new Turn(null, key, deciding);
    }

    /// <summary>Disposing it (or <see cref="Leave"/>) ends the decision, once the claim is written and its key known.</summary>
    internal sealed class Turn(KeysBeingClaimed? owner, string key, TaskCompletionSource decision) : IDisposable
    {
        private KeysBeingClaimed? _owner = owner;

        /// <summary>Waits until the request deciding this key has decided; at once for that request itself.</summary>
        public Task WaitForDecisionAsync(CancellationToken cancellationToken) =>
            _owner is null ? decision.Task.WaitAsync(cancellationToken) : Task.CompletedTask;

        public void Leave()
        {
            if (Interlocked.Exchange(ref _owner, null) is { } owner)
            {
                owner._deciding.TryRemove(KeyValuePair.Create(key, decision));
                decision.TrySetResult();
            }
        }

        public void Dispose() => Leave();
    }
}
