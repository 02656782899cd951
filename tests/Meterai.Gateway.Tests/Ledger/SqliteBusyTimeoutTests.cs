using Dapper;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Meterai.Gateway.Tests.Ledger;

/// <summary>
/// Quartz writes to the same SQLite file. A ledger connection that finds its write lock taken
/// waits in SQLite's own busy handler, in steps of milliseconds, never in Microsoft.Data.Sqlite's
/// retry, which sleeps 150 ms a time and stalled every purchase behind it.
/// </summary>
public sealed class SqliteBusyTimeoutTests
{
    [Fact]
    public async Task OpenAsync_Sqlite_ConnectionWaitsInSqlitesBusyHandler()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);
        await using var connection = await gateway.Services.GetRequiredService<LedgerDatabase>().OpenAsync(CancellationToken.None);

        Assert.Equal(30_000L, await connection.ExecuteScalarAsync<long>("PRAGMA busy_timeout"));
    }

    [Fact]
    public async Task WriteAsync_AnotherConnectionHoldsTheWriteLockBriefly_WritesOnceItIsFree()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);
        var database = gateway.Services.GetRequiredService<LedgerDatabase>();
        await using var connection = await database.OpenAsync(CancellationToken.None);
        var file = new SqliteConnectionStringBuilder(connection.ConnectionString).DataSource;

        // Another process's writer (Quartz's own connection, here a plain one) holds the lock.
        await using var other = new SqliteConnection($"Data Source={file};Pooling=False");
        await other.OpenAsync();
        await other.ExecuteAsync("BEGIN IMMEDIATE");
        var write = database.Writer.WriteAsync(async session => await session.Connection.ExecuteScalarAsync<long>("SELECT 1", transaction: session.Transaction), CancellationToken.None);
        await other.ExecuteAsync("COMMIT");

        Assert.Equal(1L, await write);
    }
}
