using Meterai.Gateway.Settings;

namespace Meterai.Gateway.Oversight;

public static class OversightExtensions
{
    public static WebApplicationBuilder AddOversight(this WebApplicationBuilder builder)
    {
        builder.Services.AddRangedOptions<OversightOptions>(OversightOptions.Section);
        builder.Services.AddSingleton<OversightStore>();
        builder.Services.AddSingleton<ActivityAuditor>();
        builder.Services.AddSingleton<ReportBuilder>();
        builder.Services.AddSingleton<OversightQueries>();

        // Feeds the ledger's gauges. Here, after AddLedger, it starts after the migrations; before them its
        // first reading would fail (logged) and the next one succeed.
        builder.Services.AddHostedService<OversightGaugePoller>();
        return builder;
    }
}
