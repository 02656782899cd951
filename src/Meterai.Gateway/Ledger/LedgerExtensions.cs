namespace Meterai.Gateway.Ledger;

public static class LedgerExtensions
{
    public static WebApplicationBuilder AddLedger(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<LedgerOptions>()
            .BindConfiguration(LedgerOptions.Section)
            .Validate(o => LedgerOptions.IsKnownProvider(o.Provider), LedgerOptions.ProviderRange)
            .ValidateOnStart();

        // Checked now too: the scheduler declares its store from the provider before the host exists.
        var configured = builder.Configuration.GetSection(LedgerOptions.Section).Get<LedgerOptions>() ?? new();
        if (!LedgerOptions.IsKnownProvider(configured.Provider))
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(LedgerOptions.Section, typeof(LedgerOptions), [LedgerOptions.ProviderRange]);
        }

        builder.Services.AddSingleton<ILedgerDialect, SqliteLedgerDialect>();
        builder.Services.AddSingleton<ILedgerDialect, PostgresLedgerDialect>();
        builder.Services.AddSingleton(services =>
        {
            var provider = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<LedgerOptions>>().Value.Provider;
            var dialect = services.GetServices<ILedgerDialect>().Single(d => d.Name == provider);
            var connectionString = services.GetRequiredService<IConfiguration>().GetConnectionString("Ledger");
            return new LedgerDatabase(dialect, string.IsNullOrWhiteSpace(connectionString) ? dialect.DefaultConnectionString : connectionString);
        });
        builder.Services.AddSingleton<LedgerMigrator>();
        builder.Services.AddSingleton<PurchaseLedger>();
        builder.Services.AddSingleton<ReconciliationLedger>();

        // Registered before every other hosted service: nothing may touch the ledger before its schema is current.
        builder.Services.AddHostedService<LedgerMigrationService>();
        return builder;
    }
}

internal sealed class LedgerMigrationService(LedgerMigrator migrator) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => migrator.MigrateAsync(cancellationToken);

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
