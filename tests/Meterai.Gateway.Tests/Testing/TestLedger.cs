using Meterai.Gateway.Ledger;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging.Abstractions;

namespace Meterai.Gateway.Tests.Testing;

/// <summary>
/// An empty ledger of its own for one test, on either provider: a SQLite file in a temp
/// directory, or a fresh database on the test PostgreSQL (<see cref="PostgresServer"/>).
/// </summary>
internal sealed class TestLedger : IAsyncDisposable
{
    private readonly DirectoryInfo? _directory;

    private TestLedger(string provider, string connectionString, DirectoryInfo? directory)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _directory = directory;
        ILedgerDialect dialect = provider == LedgerProviders.Postgres ? new PostgresLedgerDialect() : new SqliteLedgerDialect();
        Database = new LedgerDatabase(dialect, connectionString);
    }

    public string Provider { get; }

    public string ConnectionString { get; }

    public LedgerDatabase Database { get; }

    /// <summary>The gateway configuration that points at this ledger.</summary>
    public IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Ledger:Provider"] = Provider,
        ["ConnectionStrings:Ledger"] = ConnectionString,
    };

    public static async Task<TestLedger> CreateAsync(string provider)
    {
        if (provider == LedgerProviders.Postgres)
        {
            return new TestLedger(provider, await PostgresServer.CreateDatabaseAsync(), null);
        }

        var directory = Directory.CreateTempSubdirectory("meterai-ledger-test-");
        return new TestLedger(provider, $"Data Source={Path.Combine(directory.FullName, "ledger.db")};Pooling=True;Default Timeout=30", directory);
    }

    /// <summary>A new ledger with its schema current.</summary>
    public static async Task<TestLedger> MigratedAsync(string provider, TimeProvider? time = null)
    {
        var ledger = await CreateAsync(provider);
        await ledger.MigrateAsync(time);
        return ledger;
    }

    public Task<IReadOnlyList<string>> MigrateAsync(TimeProvider? time = null) =>
        new LedgerMigrator(Database, time ?? TimeProvider.System, NullLogger<LedgerMigrator>.Instance).MigrateAsync(CancellationToken.None);

    public async ValueTask DisposeAsync()
    {
        await Database.DisposeAsync();
        if (_directory is null)
        {
            await PostgresServer.DropDatabaseAsync(ConnectionString);
            return;
        }

        SqliteConnection.ClearAllPools();
        try
        {
            _directory.Delete(recursive: true);
        }
        catch (IOException)
        {
            // A pooled connection on another thread still holds the file; the OS temp cleaner gets it.
        }
    }
}
