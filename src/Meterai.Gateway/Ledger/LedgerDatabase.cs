using System.Data.Common;
using Dapper;

namespace Meterai.Gateway.Ledger;

/// <summary>Opens ledger connections in the configured dialect.</summary>
[System.Diagnostics.CodeAnalysis.SuppressMessage("Reliability", "CA1001", Justification = "The gate's wait handle is never created, so it holds nothing to release; the database lives as long as the process.")]
public sealed class LedgerDatabase(ILedgerDialect dialect, string connectionString)
{
    // SQLite has one writer. Writers that collide get SQLITE_BUSY, and the driver's answer to that
    // is to sleep and retry, which turns a busy minute into long stalls; writers that queue here,
    // in this process, take their turn at once instead.
    private readonly SemaphoreSlim? _writeGate = dialect.SingleWriter ? new SemaphoreSlim(1, 1) : null;

    public ILedgerDialect Dialect { get; } = dialect;

    public string ConnectionString { get; } = connectionString;

    /// <summary>A connection for a write: on a single-writer database it holds the write turn until disposed.</summary>
    public async Task<WriteLease> OpenForWriteAsync(CancellationToken cancellationToken)
    {
        if (_writeGate is null)
        {
            return new WriteLease(await OpenAsync(cancellationToken), null);
        }

        // The turn first, then the connection: a queue of writers must not each hold an open connection.
        await _writeGate.WaitAsync(cancellationToken);
        try
        {
            return new WriteLease(await OpenAsync(cancellationToken), _writeGate);
        }
        catch
        {
            _writeGate.Release();
            throw;
        }
    }


    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = Dialect.CreateConnection(ConnectionString);
        try
        {
            await connection.OpenAsync(cancellationToken);
            if (Dialect.OnOpenSql is { } onOpen)
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

/// <summary>An open connection that may write; disposing it closes the connection and frees the write turn.</summary>
public sealed class WriteLease(DbConnection connection, SemaphoreSlim? gate) : IAsyncDisposable
{
    public DbConnection Connection { get; } = connection;

    public async ValueTask DisposeAsync()
    {
        await Connection.DisposeAsync();
        gate?.Release();
    }
}
