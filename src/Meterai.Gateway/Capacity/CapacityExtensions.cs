namespace Meterai.Gateway.Capacity;

public static class CapacityExtensions
{
    /// <summary>Each distributor's concurrency limit, learned from its answers (docs/capacity.md).</summary>
    public static WebApplicationBuilder AddCapacity(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<CapacityOptions>()
            .BindConfiguration(CapacityOptions.Section)
            .Validate(o => ConcurrencyLimitAlgorithmNames.All.Contains(o.Algorithm, StringComparer.OrdinalIgnoreCase),
                $"Capacity:Algorithm must be one of {string.Join(", ", ConcurrencyLimitAlgorithmNames.All)}.")
            .Validate(o => o.InitialLimit >= 1, "Capacity:InitialLimit must be at least 1.")
            .Validate(o => o.MinLimit >= 1, "Capacity:MinLimit must be at least 1.")
            .Validate(o => o.WindowSamples is >= 1 and <= 10_000, "Capacity:WindowSamples must be from 1 to 10000.")
            .Validate(o => o.LatencyTolerance is >= 0 and <= 10, "Capacity:LatencyTolerance must be from 0 to 10.")
            .Validate(o => o.MinLatencyWindowSeconds is > 0 and <= 3600, "Capacity:MinLatencyWindowSeconds must be more than 0 and at most 3600.")
            .Validate(o => o.ProbeIntervalSeconds is >= 0 and <= 3600, "Capacity:ProbeIntervalSeconds must be from 0 to 3600.")
            .Validate(o => o.OverloadBackoff is > 0 and < 1, "Capacity:OverloadBackoff must be more than 0 and less than 1.")
            .ValidateOnStart();
        builder.Services.AddSingleton<IConcurrencyLimitAlgorithm, GradientLimitAlgorithm>();
        builder.Services.AddSingleton<IConcurrencyLimitAlgorithm, AimdLimitAlgorithm>();
        builder.Services.AddSingleton<IConcurrencyLimitAlgorithm, FixedLimitAlgorithm>();
        builder.Services.AddSingleton(services => new ConcurrencyLimits(
            services.GetServices<IConcurrencyLimitAlgorithm>(), services.GetRequiredService<Microsoft.Extensions.Options.IOptions<CapacityOptions>>()));
        builder.Services.AddSingleton<Admission.IFleetThroughput, FleetThroughput>();
        return builder;
    }
}
