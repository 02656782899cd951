using Dapper;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Meterai.Gateway.Tests.Ledger;

/// <summary>
/// <c>Ledger:SqliteSynchronous</c> reaches every ledger connection of a real gateway: FULL unless
/// configured, NORMAL only when asked for (to measure durability's cost, bench/durability.sh).
/// </summary>
public sealed class SqliteSynchronousTests
{
    [Theory]
    [InlineData(null, 2L)]
    [InlineData("NORMAL", 1L)]
    [InlineData("full", 2L)]
    public async Task OpenAsync_SqliteSynchronousConfigured_ConnectionRunsThatMode(string? configured, long expectedPragma)
    {
        var settings = new Dictionary<string, string?>();
        if (configured is not null)
        {
            settings["Ledger:SqliteSynchronous"] = configured;
        }

        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], settings);
        await using var connection = await gateway.Services.GetRequiredService<LedgerDatabase>().OpenAsync(CancellationToken.None);

        // PRAGMA synchronous: 1 is NORMAL, 2 is FULL.
        Assert.Equal(expectedPragma, await connection.ExecuteScalarAsync<long>("PRAGMA synchronous"));
    }
}
