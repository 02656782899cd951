using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Meterai.Gateway.Server;
using Meterai.Gateway.Tests.Apis;
using Meterai.Gateway.Tests.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Tests.Server;

/// <summary>Issue 25: Kestrel's limits are explicit options (Server:*), applied and checked at start.</summary>
public sealed class ServerLimitsTests
{
    [Fact]
    public async Task Start_ConfiguredServerLimits_ReachKestrel()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], new Dictionary<string, string?>
        {
            ["Server:MaxConcurrentConnections"] = "7",
            ["Server:RequestHeadersTimeoutSeconds"] = "3",
            ["Server:MaxRequestBodyBytes"] = "8192",
        });

        var limits = gateway.Services.GetRequiredService<IOptions<KestrelServerOptions>>().Value.Limits;

        Assert.Equal(7, limits.MaxConcurrentConnections);
        Assert.Equal(TimeSpan.FromSeconds(3), limits.RequestHeadersTimeout);
        Assert.Equal(8192, limits.MaxRequestBodySize);
    }

    [Fact]
    public void Defaults_Always_AreBoundedUnlikeKestrels()
    {
        var defaults = new ServerLimitsOptions();

        Assert.Equal(10_000, defaults.MaxConcurrentConnections);
        Assert.Equal(TimeSpan.FromSeconds(10), defaults.RequestHeadersTimeout);
        Assert.Equal(65_536, defaults.MaxRequestBodyBytes);
    }

    [Theory]
    [InlineData("Server:MaxConcurrentConnections", "0", "Server:MaxConcurrentConnections must be from 1 to 1000000 (it is 0).")]
    [InlineData("Server:RequestHeadersTimeoutSeconds", "0.5", "Server:RequestHeadersTimeoutSeconds must be from 1 to 300 (it is 0.5).")]
    [InlineData("Server:MaxRequestBodyBytes", "1024", "Server:MaxRequestBodyBytes must be from 4096 to 104857600 (it is 1024).")]
    public async Task Start_ServerLimitOutOfRange_FailsWithOneLineNamingTheKey(string key, string value, string message)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            GatewayHarness.StartAsync([Fleets.Seller("d01")], new Dictionary<string, string?> { [key] = value }));

        Assert.Equal(message, Assert.Single(failure.Failures));
    }

    [Fact]
    public async Task Send_HeadersSlowerThanTimeout_ConnectionCutWith408()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], new Dictionary<string, string?>
        {
            ["Server:RequestHeadersTimeoutSeconds"] = "1",
        });
        using var client = new TcpClient();
        await client.ConnectAsync(gateway.BaseAddress.Host, gateway.BaseAddress.Port);
        var stream = client.GetStream();
        var clock = Stopwatch.StartNew();

        // A request line and one header, then nothing: the headers never end.
        await stream.WriteAsync(Encoding.ASCII.GetBytes("GET /api/status HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
        using var received = new MemoryStream();
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await stream.CopyToAsync(received, deadline.Token);

        // Cut by the 1 s timeout (Kestrel checks once a second), well before the 10 s default.
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(8), $"cut after {clock.Elapsed}");
        Assert.StartsWith("HTTP/1.1 408 ", Encoding.ASCII.GetString(received.ToArray()), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task Purchase_BodyOverItsLimit_Returns413ProblemNamingBodyAndWritesNothing(bool chunked)
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);
        var body = Encoding.UTF8.GetBytes("{\"quantity\":1,\"applicantRef\":\"a\",\"pad\":\"" + new string('x', 100_000) + "\"}");
        (string, string)[] headers = [("Content-Type", "application/json"), ("Idempotency-Key", "oversized-0001")];
        var request = chunked
            ? RawHttp.Request("POST", "/api/purchases", [.. headers, ("Transfer-Encoding", "chunked")], Chunk(body))
            : RawHttp.Request("POST", "/api/purchases", [.. headers, ("Content-Length", body.Length.ToString(System.Globalization.CultureInfo.InvariantCulture))], body);

        var answer = await RawHttp.SendAsync(gateway.BaseAddress, request);

        Assert.Equal(413, answer.Status);
        HostileInputCorpusTests.AssertProblemNamingField(answer, "body");
        Assert.Equal(0, await gateway.CountPurchasesAsync());
        Assert.Equal(0, gateway.TotalOrders);
    }

    private static byte[] Chunk(byte[] body) =>
        [.. Encoding.ASCII.GetBytes($"{body.Length:x}\r\n"), .. body, .. "\r\n0\r\n\r\n"u8];
}
