using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;
using Meterai.Gateway.Capacity;

namespace Meterai.Gateway.Distributors;

/// <summary>The registered distributors and their runtime state, loaded once per process.</summary>
/// <param name="limits">Creates each distributor's concurrency limiter; none keeps every limit at the registry's maxConcurrency.</param>
internal sealed class DistributorFleet(ConcurrencyLimits? limits = null)
{
    private readonly TaskCompletionSource _loaded = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private volatile Snapshot _snapshot = Snapshot.Empty;

    /// <summary>Raised once the registry has been loaded (from the file or the demo fleet).</summary>
    public event Action? Loaded;

    public bool IsLoaded => _snapshot.IsLoaded;

    /// <summary>Completes when the registry has been loaded.</summary>
    public Task WhenLoaded => _loaded.Task;

    public bool IsDemo => _snapshot.IsDemo;

    public IReadOnlyList<DistributorState> All => _snapshot.All;

    public void Load(IReadOnlyList<DistributorEntry> entries, bool isDemo)
    {
        var states = entries.Select(e => new DistributorState(e, limits?.Create(e.MaxConcurrency), limits?.ReadyShare ?? 0)).ToArray();
        _snapshot = new Snapshot(states, states.ToFrozenDictionary(s => s.Id, StringComparer.Ordinal), isDemo, IsLoaded: true);
        Loaded?.Invoke();
        _loaded.TrySetResult();
    }

    public bool TryGet(string id, [MaybeNullWhen(false)] out DistributorState state) =>
        _snapshot.ById.TryGetValue(id, out state);

    private sealed record Snapshot(
        IReadOnlyList<DistributorState> All,
        FrozenDictionary<string, DistributorState> ById,
        bool IsDemo,
        bool IsLoaded)
    {
        public static readonly Snapshot Empty = new([], FrozenDictionary<string, DistributorState>.Empty, false, false);
    }
}
