using System.ComponentModel.DataAnnotations;

namespace Meterai.Gateway.Health;

/// <summary>How answers to real purchases mark a distributor unhealthy. Bound from <c>PassiveHealth</c>.</summary>
internal sealed class PassiveHealthOptions
{
    public const string Section = "PassiveHealth";

    /// <summary>Length of the counting window. Default: 30 seconds.</summary>
    [Range(0d, 3600d, MinimumIsExclusive = true)]
    public double WindowSeconds { get; set; } = 30;

    /// <summary>Answers needed in a window before its failure rate counts. Default: 5.</summary>
    [Range(1, 10_000)]
    public int MinimumRequests { get; set; } = 5;

    /// <summary>Share of failed answers that marks the distributor unhealthy. Default: 0.5.</summary>
    [Range(0d, 1d, MinimumIsExclusive = true)]
    public double FailureRateThreshold { get; set; } = 0.5;

    /// <summary>How long it stays unhealthy before it is offered orders again. Default: 10 seconds.</summary>
    [Range(0d, 3600d, MinimumIsExclusive = true)]
    public double ReactivationSeconds { get; set; } = 10;

    /// <summary>
    /// Order refusals without charging (4xx other than 409 out of stock and 429, or 503) in one
    /// <see cref="WindowSeconds"/> with no sale, after which the distributor gets no orders for
    /// <see cref="ReactivationSeconds"/>. Default: 3.
    /// </summary>
    [Range(1, 1000)]
    public int RefusalsBeforeUnhealthy { get; set; } = 3;

    public TimeSpan Window => TimeSpan.FromSeconds(WindowSeconds);

    public TimeSpan ReactivationPeriod => TimeSpan.FromSeconds(ReactivationSeconds);
}
