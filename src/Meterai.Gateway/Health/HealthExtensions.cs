using Meterai.Gateway.Ledger;
using Meterai.Gateway.Settings;

namespace Meterai.Gateway.Health;

internal static class HealthExtensions
{
    public const string ReadyTag = "ready";

    public static WebApplicationBuilder AddDistributorHealth(this WebApplicationBuilder builder)
    {
        builder.Services.AddRangedOptions<PassiveHealthOptions>(PassiveHealthOptions.Section);

        builder.Services.AddHealthChecks()
            .AddCheck<LedgerReadyCheck>("ledger", tags: [ReadyTag])
            .AddCheck<RegistryReadyCheck>("registry", tags: [ReadyTag]);
        return builder;
    }
}
