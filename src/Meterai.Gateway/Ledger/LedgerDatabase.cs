using System.Data.Common;
using Dapper;

namespace Meterai.Gateway.Ledger;

/// <summary>Opens ledger connections in the configured dialect, and owns the purchase path's group-commit writer.</summary>
internal sealed class LedgerDatabase(ILedgerDialect dialect, string connectionString, LedgerOptions? options = null, ILogger<LedgerWriter>? logger = null)
    : IAsyncDisposable
{
    // SQLite has one writer. Writers that collide get SQLITE_BUSY, and the driver's answer to that
    // is to sleep and retry, which turns a busy minute into long stalls; writers that queue here,
    // in this process, take their turn at once instead.
    private readonly SemaphoreSlim? _writeGate = dialect.SingleWriter ? new SemaphoreSlim(1, 1) : null;
    private readonly LedgerOptions _options = options ?? new();
    private LedgerWriter? _writer;
    private KnownKeys? _knownKeys;

    public ILedgerDialect Dialect { get; } = dialect;

    public string ConnectionString { get; } = connectionString;

    /// <summary>The group-commit writer, started on first use: one loop on a single-writer database, several otherwise.</summary>
    public LedgerWriter Writer => LazyInitializer.EnsureInitialized(ref _writer, () => new LedgerWriter(
        this,
        Dialect.SingleWriter ? 1 : _options.WriterConnections,
        _options.MaxBatch,
        (ILogger?)logger ?? Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance));

    /// <summary>The keys this ledger holds, remembered in memory: see <see cref="Ledger.KnownKeys"/>.</summary>
    public KnownKeys KnownKeys => LazyInitializer.EnsureInitialized(ref _knownKeys, () => new KnownKeys(_options.KnownKeysCapacity));

    /// <summary>The write turn alone, for a writer that keeps its own connection (the group commit); free it by disposing.</summary>
    internal async Task<IDisposable> TakeWriteTurnAsync(CancellationToken cancellationToken = default)
    {
        if (_writeGate is null)
        {
            return NoTurn.Instance;
        }

        await _writeGate.WaitAsync(cancellationToken);
        return new Turn(_writeGate);
    }

    public async ValueTask DisposeAsync()
    {
        if (_writer is not null)
        {
            await _writer.DisposeAsync();
        }

        // The gate is not disposed: hosted services still write while the host stops, and a gate
        // that never created its wait handle holds nothing to release.
    }

    /// <summary>A connection for a write: on a single-writer database it holds the write turn until disposed.</summary>
    public async Task<WriteLease> OpenForWriteAsync(CancellationToken cancellationToken)
    {
        // The turn first, then the connection: a queue of writers must not each hold an open connection.
        var turn = await TakeWriteTurnAsync(cancellationToken);
        try
        {
            return new WriteLease(await OpenAsync(cancellationToken), turn);
        }
        catch
        {
            turn.Dispose();
            throw;
        }
    }

    public Task<DbConnection> OpenAsync(CancellationToken cancellationToken) => OpenAsync(null, cancellationToken);

    /// <param name="alsoOnOpenSql">Run after the dialect's own open SQL, for this connection alone (the group-commit writer's); null for none.</param>
    internal async Task<DbConnection> OpenAsync(string? alsoOnOpenSql, CancellationToken cancellationToken)
    {
        var connection = Dialect.CreateConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (Dialect.OnOpenSql + alsoOnOpenSql is { Length: > 0 } onOpen)
            {
                await connection.ExecuteAsync(new CommandDefinition(onOpen, cancellationToken: cancellationToken));
            }

            return connection;
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }
}

internal sealed class Turn(SemaphoreSlim gate) : IDisposable
{
    public void Dispose() => gate.Release();
}

internal sealed class NoTurn : IDisposable
{
    public static readonly NoTurn Instance = new();

    public void Dispose()
    {
    }
}

/// <summary>An open connection that may write; disposing it closes the connection and frees the write turn.</summary>
internal sealed class WriteLease(DbConnection connection, IDisposable turn) : IAsyncDisposable
{
    public DbConnection Connection { get; } = connection;

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        turn.Dispose();
    }
}
