using Meterai.Gateway.Settings;

namespace Meterai.Gateway.Admission;

internal static class AdmissionExtensions
{
    /// <summary>Call before <c>AddPublicStatus</c>: the queue is what /api/status's estimated wait reads.</summary>
    public static WebApplicationBuilder AddAdmission(this WebApplicationBuilder builder)
    {
        builder.Services.AddRangedOptions<AdmissionOptions>(AdmissionOptions.Section);
        builder.Services.AddSingleton<WaitingLine>();
        builder.Services.AddSingleton<AdmissionControl>();
        builder.Services.AddSingleton<IWaitEstimate>(services => services.GetRequiredService<AdmissionControl>());

        // On a shared ledger the line is one across the gateways (docs/order-of-service.md); alone, this does nothing.
        builder.Services.AddSingleton<PlaceSync>();
        builder.Services.AddHostedService(services => services.GetRequiredService<PlaceSync>());
        return builder;
    }
}
