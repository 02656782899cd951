namespace Meterai.Gateway.Distributors;

public static class DistributorExtensions
{
    /// <summary>
    /// Registers the fleet. A registry file is read and validated here, before the host is built,
    /// so a malformed one stops start-up with a <see cref="RegistryException"/> before anything listens.
    /// </summary>
    public static WebApplicationBuilder AddDistributors(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<DistributorOptions>()
            .BindConfiguration(DistributorOptions.Section)
            .Validate(o => o.DefaultMaxConcurrency >= 1, "Distributors:DefaultMaxConcurrency must be at least 1.")
            .ValidateOnStart();

        var settings = builder.Configuration.GetSection(DistributorOptions.Section).Get<DistributorOptions>() ?? new();
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
        builder.Services.AddOptions<DemoOptions>()
            .BindConfiguration(DemoOptions.Section)
            .Validate(o => o.PurchasesPerSecond is >= 0 and <= 1000, "Demo:PurchasesPerSecond must be from 0 to 1000.")
            .ValidateOnStart();
        builder.Services.AddHostedService<DemoTraffic>();
        builder.Services.AddHttpClient<DistributorClient>(DistributorClient.HttpClientName, client =>
        {
            // Callers bound each call with their own (Polly or probe) timeout; this is only a backstop.
            client.Timeout = TimeSpan.FromSeconds(30);
        });
        return builder;
    }
}
