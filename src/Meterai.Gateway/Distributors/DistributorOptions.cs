using System.ComponentModel.DataAnnotations;

namespace Meterai.Gateway.Distributors;

/// <summary>Where the fleet comes from. Bound from the <c>Distributors</c> section.</summary>
internal sealed class DistributorOptions
{
    public const string Section = "Distributors";

    /// <summary>Path of the registry file. Default: unset, which starts the built-in demo fleet.</summary>
    public string? File { get; set; }

    /// <summary>
    /// Concurrent orders allowed at a distributor whose registry entry gives no <c>maxConcurrency</c>.
    /// Default: 8, deliberately low: an unknown seller is protected until it shows it can take more.
    /// </summary>
    [Range(1, 10_000)]
    public int DefaultMaxConcurrency { get; set; } = 8;
}
