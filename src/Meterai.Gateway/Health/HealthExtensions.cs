namespace Meterai.Gateway.Health;

public static class HealthExtensions
{
    public const string ReadyTag = "ready";

    public static WebApplicationBuilder AddDistributorHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<ProbingOptions>()
            .BindConfiguration(ProbingOptions.Section)
            .Validate(o => o.IntervalSeconds > 0 && o.TimeoutSeconds > 0, "Probing:IntervalSeconds and Probing:TimeoutSeconds must be positive.")
            .Validate(o => o.TimeoutSeconds <= o.IntervalSeconds, "Probing:TimeoutSeconds must not exceed Probing:IntervalSeconds, or rounds would overlap.")
            .Validate(o => o.RawRetentionHours >= 1, "Probing:RawRetentionHours must be at least 1, or raw probes would be rolled up before the hour they belong to is over.")
            .ValidateOnStart();
        builder.Services.AddOptions<PassiveHealthOptions>()
            .BindConfiguration(PassiveHealthOptions.Section)
            .Validate(o => o.WindowSeconds > 0 && o.ReactivationSeconds > 0 && o.MinimumRequests >= 1, "PassiveHealth window, reactivation and minimum requests must be positive.")
            .Validate(o => o.FailureRateThreshold is > 0 and <= 1, "PassiveHealth:FailureRateThreshold must be in (0, 1].")
            .ValidateOnStart();

        builder.Services.AddHealthChecks()
            .AddCheck<LedgerReadyCheck>("ledger", tags: [ReadyTag])
            .AddCheck<RegistryReadyCheck>("registry", tags: [ReadyTag]);
        return builder;
    }
}
