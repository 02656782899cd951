using Meterai.Gateway.Settings;

namespace Meterai.Gateway.Distributors;

internal static class DistributorExtensions
{
    /// <summary>
    /// Registers the fleet. A registry file is read and validated here, before the host is built,
    /// so a malformed one stops start-up with a <see cref="RegistryException"/> before anything listens.
    /// </summary>
    public static WebApplicationBuilder AddDistributors(this WebApplicationBuilder builder)
    {
        builder.Services.AddRangedOptions<DistributorOptions>(DistributorOptions.Section);

        // Read now because the registry is loaded now: a value out of range stops here with its own line.
        var settings = builder.Configuration.BindChecked<DistributorOptions>(DistributorOptions.Section);
        var entries = string.IsNullOrWhiteSpace(settings.File)
            ? null
            : RegistryFile.Load(settings.File, settings.DefaultMaxConcurrency);

        builder.Services.AddSingleton(services =>
        {
            // A file registry is live from the first request; the demo fleet loads once its listeners are bound.
            var fleet = new DistributorFleet(services.GetService<Capacity.ConcurrencyLimits>());
            if (entries is not null)
            {
                fleet.Load(entries, isDemo: false);
            }

            return fleet;
        });
        builder.Services.AddHostedService<FleetLoader>();
        builder.Services.AddRangedOptions<DemoOptions>(DemoOptions.Section);
        builder.Services.AddHostedService<DemoTraffic>();
        builder.Services.AddHttpClient(DistributorClient.HttpClientName, client =>
            {
                // Callers bound each call with their own (Polly or probe) timeout; this is only a backstop.
                client.Timeout = TimeSpan.FromSeconds(30);
                client.MaxResponseContentBufferSize = DistributorHttp.MaxAnswerBytes;
            })
            .ConfigurePrimaryHttpMessageHandler(DistributorHttp.CreateHandler);
        builder.Services.AddSingleton(services => new DistributorClient(services.GetRequiredService<IHttpClientFactory>()));
        return builder;
    }
}
