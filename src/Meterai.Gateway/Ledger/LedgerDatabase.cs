using System.Data.Common;
using Dapper;

namespace Meterai.Gateway.Ledger;

/// <summary>Opens ledger connections in the configured dialect.</summary>
public sealed class LedgerDatabase(ILedgerDialect dialect, string connectionString)
{
    public ILedgerDialect Dialect { get; } = dialect;

    public async Task<DbConnection> OpenAsync(CancellationToken cancellationToken)
    {
        var connection = Dialect.CreateConnection(connectionString);
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
