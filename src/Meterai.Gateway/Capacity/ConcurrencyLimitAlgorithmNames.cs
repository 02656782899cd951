namespace Meterai.Gateway.Capacity;

/// <summary>The values of <c>Capacity:Algorithm</c>; docs/capacity.md says why the default is the default.</summary>
internal static class ConcurrencyLimitAlgorithmNames
{
    /// <summary>Latency gradient against the minimum latency, Envoy-style, with growth that probes past a known limit only now and then. The default.</summary>
    public const string Gradient = "Gradient";

    /// <summary>Additive increase while answers are healthy, multiplicative decrease on overload; blind to latency.</summary>
    public const string Aimd = "Aimd";

    /// <summary>Always the registry's <c>maxConcurrency</c>: what <c>Capacity:Learning=false</c> selects.</summary>
    public const string Fixed = "Fixed";

    public static readonly IReadOnlyList<string> All = [Gradient, Aimd, Fixed];
}
