namespace Meterai.Gateway.Capacity;

/// <summary>
/// How a distributor's concurrency limit is learned: the extension point of <c>Capacity:Algorithm</c>.
/// Each implementation is registered once; it creates one <see cref="ConcurrencyLimiter"/> per distributor.
/// </summary>
internal interface IConcurrencyLimitAlgorithm
{
    /// <summary>The name <c>Capacity:Algorithm</c> selects it by (<see cref="ConcurrencyLimitAlgorithmNames"/>).</summary>
    string Name { get; }

    /// <summary>A learner for one distributor whose registry ceiling is <paramref name="ceiling"/>.</summary>
    ConcurrencyLimiter Create(int ceiling);
}
