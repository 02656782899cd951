using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Capacity;

/// <summary>Creates each distributor's limiter with the algorithm <c>Capacity</c> selects.</summary>
internal sealed class ConcurrencyLimits
{
    private readonly IConcurrencyLimitAlgorithm _algorithm;

    internal ConcurrencyLimits(IEnumerable<IConcurrencyLimitAlgorithm> algorithms, IOptions<CapacityOptions> options)
    {
        var settings = options.Value;
        ReadyShare = settings.ReadyShare;
        var name = settings.Learning ? settings.Algorithm : ConcurrencyLimitAlgorithmNames.Fixed;

        // Options validation on start names the key; this only guards a host that skipped it.
        _algorithm = algorithms.FirstOrDefault(a => string.Equals(a.Name, name, StringComparison.OrdinalIgnoreCase))
            ?? throw new OptionsValidationException(CapacityOptions.Section, typeof(CapacityOptions), [$"Capacity:Algorithm '{name}' is unknown."]);
    }

    public string AlgorithmName => _algorithm.Name;

    /// <summary><see cref="CapacityOptions.ReadyShare"/>.</summary>
    public double ReadyShare { get; }

    public ConcurrencyLimiter Create(int ceiling) => _algorithm.Create(ceiling);
}
