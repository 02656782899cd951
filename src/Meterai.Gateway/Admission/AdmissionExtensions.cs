using Meterai.Gateway.Status;

namespace Meterai.Gateway.Admission;

public static class AdmissionExtensions
{
    /// <summary>Call before <c>AddPublicStatus</c>: the queue is what /api/status's estimated wait reads.</summary>
    public static WebApplicationBuilder AddAdmission(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<AdmissionOptions>()
            .BindConfiguration(AdmissionOptions.Section)
            .Validate(o => o.MaxQueueLength >= 0 && o.MaxWaitSeconds >= 0 && o.MaxWaitServiceTimes > 0,
                "Admission:MaxQueueLength and MaxWaitSeconds must not be negative, and MaxWaitServiceTimes must be positive.")
            .Validate(o => o.DrainWindowSeconds is >= 1 and <= 600, "Admission:DrainWindowSeconds must be from 1 to 600.")
            .ValidateOnStart();
        builder.Services.AddSingleton<AdmissionControl>();
        builder.Services.AddSingleton<IWaitEstimate>(services => services.GetRequiredService<AdmissionControl>());
        return builder;
    }
}
