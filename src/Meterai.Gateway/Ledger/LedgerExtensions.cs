using Meterai.Gateway.Settings;

namespace Meterai.Gateway.Ledger;

internal static class LedgerExtensions
{
    public static WebApplicationBuilder AddLedger(this WebApplicationBuilder builder)
    {
        builder.Services.AddRangedOptions<LedgerOptions>(LedgerOptions.Section)
            .Validate(o => LedgerOptions.IsKnownProvider(o.Provider), LedgerOptions.ProviderRange)
            .Validate(o => LedgerOptions.IsKnownSynchronous(o.SqliteSynchronous), LedgerOptions.SqliteSynchronousRange);

        // Checked now too: the scheduler declares its store from the provider (LedgerDialects.Resolve) before the host exists.
        var configured = builder.Configuration.GetSection(LedgerOptions.Section).Get<LedgerOptions>() ?? new();
        if (configured.Problem() is { } problem)
        {
            throw new Microsoft.Extensions.Options.OptionsValidationException(LedgerOptions.Section, typeof(LedgerOptions), [problem]);
        }

        builder.Services.AddSingleton(services =>
        {
            // Options are validated first, so the provider is known here.
            var options = services.GetRequiredService<Microsoft.Extensions.Options.IOptions<LedgerOptions>>().Value;
            var (dialect, connectionString) = LedgerDialects.Resolve(services.GetRequiredService<IConfiguration>());
            return new LedgerDatabase(dialect!, connectionString, options, services.GetRequiredService<ILogger<LedgerWriter>>());
        });
        builder.Services.AddSingleton<LedgerMigrator>();
        builder.Services.AddSingleton<PurchaseLedger>();
        builder.Services.AddSingleton<ReconciliationLedger>();
        builder.Services.AddSingleton<OrphanLedger>();
        builder.Services.AddSingleton<LinePlaces>();

        // First of all hosted services, wherever AddLedger is called, and migrating while the host is
        // starting (before any StartAsync): nothing may touch the ledger before its schema is current,
        // and a second gateway on one SQLite file is refused before it touches anything.
        builder.Services.AddSingleton<SingleGatewayLock>();
        builder.Services.Insert(0, ServiceDescriptor.Singleton<IHostedService, LedgerMigrationService>());
        builder.Services.AddHostedService<KnownKeysRefresher>();
        return builder;
    }

    /// <summary>
    /// Refuses to start a second gateway on one SQLite file, before the host starts: its failure is
    /// then the one line Program prints, not a hosting error with a stack trace. The migration
    /// service takes the same lock too, for hosts that never call this.
    /// </summary>
    /// <exception cref="LedgerInUseException">Another gateway holds the ledger.</exception>
    public static WebApplication UseSingleGatewayLedger(this WebApplication app)
    {
        app.Services.GetRequiredService<SingleGatewayLock>().Acquire();
        return app;
    }
}

internal sealed class LedgerMigrationService(LedgerMigrator migrator, SingleGatewayLock singleGateway) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken)
    {
        singleGateway.Acquire();
        return migrator.MigrateAsync(cancellationToken);
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
