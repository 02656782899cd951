using Meterai.Gateway.Settings;

namespace Meterai.Gateway.Capacity;

internal static class CapacityExtensions
{
    /// <summary>Each distributor's concurrency limit, learned from its answers (docs/capacity.md).</summary>
    public static WebApplicationBuilder AddCapacity(this WebApplicationBuilder builder)
    {
        builder.Services.AddRangedOptions<CapacityOptions>(CapacityOptions.Section)
            .Validate(o => ConcurrencyLimitAlgorithmNames.All.Contains(o.Algorithm, StringComparer.OrdinalIgnoreCase),
                $"Capacity:Algorithm must be one of {string.Join(", ", ConcurrencyLimitAlgorithmNames.All)}.");
        builder.Services.AddSingleton<IConcurrencyLimitAlgorithm, GradientLimitAlgorithm>();
        builder.Services.AddSingleton<IConcurrencyLimitAlgorithm, AimdLimitAlgorithm>();
        builder.Services.AddSingleton<IConcurrencyLimitAlgorithm, FixedLimitAlgorithm>();
        builder.Services.AddSingleton(services => new ConcurrencyLimits(
            services.GetServices<IConcurrencyLimitAlgorithm>(), services.GetRequiredService<Microsoft.Extensions.Options.IOptions<CapacityOptions>>()));
        return builder;
    }
}
