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

        // Refreshes the ledger gauges; registered here, after AddLedger, so it starts after the migrations.
        builder.Services.AddHostedService(services => services.GetRequiredService<Observability.LedgerGauges>());
        return builder;
    }
}
