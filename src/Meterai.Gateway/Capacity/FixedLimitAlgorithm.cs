namespace Meterai.Gateway.Capacity;

/// <summary>No learning: the registry's <c>maxConcurrency</c> is taken as the truth, as before issue 10.</summary>
internal sealed class FixedLimitAlgorithm : IConcurrencyLimitAlgorithm
{
    public string Name => ConcurrencyLimitAlgorithmNames.Fixed;

    public ConcurrencyLimiter Create(int ceiling) => new Limiter(ceiling);

    /// <summary>The limiter of a distributor no learning was set up for (tests, tools).</summary>
    internal static ConcurrencyLimiter For(int ceiling) => new Limiter(ceiling);

    private sealed class Limiter(int ceiling) : ConcurrencyLimiter(ceiling, ceiling)
    {
        protected override double Learn(in CapacitySample sample) => Ceiling;

        protected override double OnCeilingChanged(int ceiling) => ceiling;
    }
}
