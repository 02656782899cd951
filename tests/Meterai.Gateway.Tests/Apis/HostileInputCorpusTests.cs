using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Meterai.Gateway.Tests.Auth;
using Meterai.Gateway.Tests.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace Meterai.Gateway.Tests.Apis;

/// <summary>A real gateway (Kestrel on loopback, SQLite file, simulated distributors) for the whole corpus.</summary>
public sealed class CorpusGatewayFixture : IAsyncLifetime
{
    internal GatewayHarness Gateway { get; private set; } = null!;

    internal CorpusTarget Target { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        // A stalled body is given up after 1.5 s instead of Kestrel's 5 s, so the short-body cases are quick.
        Gateway = await GatewayHarness.StartAsync(
            [Fleets.Seller("d01"), Fleets.Seller("d02")],
            // The throttle has its own tests (Auth/ThrottleTests): here every wrong key must get its own answer.
            new Dictionary<string, string?>(OversightKeys.Settings()) { ["Auth:FailureLimit"] = "1000" },
            services: services => services.Configure<KestrelServerOptions>(kestrel =>
                kestrel.Limits.MinRequestBodyDataRate = new MinDataRate(240, TimeSpan.FromSeconds(1.5))));

        // One real report, so the Accept cases have something to refuse to serve.
        using var request = new HttpRequestMessage(HttpMethod.Post, "/api/oversight/reports")
        {
            Content = JsonContent.Create(new { from = "2024-09-01T00:00:00Z", to = "2024-09-02T00:00:00Z" }),
        };
        request.Headers.Add("X-Api-Key", OversightKeys.Operator);
        using var created = await Gateway.Client.SendAsync(request);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var report = await GatewayHarness.JsonAsync(created);
        Target = new CorpusTarget(Gateway, report.GetProperty("id").GetString()!);
    }

    public async Task DisposeAsync() => await Gateway.DisposeAsync();
}

/// <summary>
/// The hostile-input corpus (issue 8): every case is refused with the right status and problem+json
/// naming the field (an HTML page for the browser sign-in form), never a 5xx; nothing reaches a
/// distributor, nothing is written to the ledger; and a good purchase succeeds right after.
/// </summary>
public sealed class HostileInputCorpusTests(CorpusGatewayFixture fixture) : IClassFixture<CorpusGatewayFixture>
{
    public static TheoryData<string> Cases() => [.. HostileInputCorpus.All.Keys];

    [Fact]
    public void Corpus_Always_HoldsAtLeastSixtyCasesAcrossEveryArea()
    {
        var names = HostileInputCorpus.All.Keys.ToList();

        Assert.True(names.Count >= 60, $"only {names.Count} cases");
        Assert.True(names.Count(n => !n.StartsWith("protocol:", StringComparison.Ordinal)) >= 60, "60 cases must reach the gateway's own code");
        foreach (var area in new[] { "purchase:", "look-up:", "oversight:", "report:", "sign-in:", "cookie:", "protocol:" })
        {
            Assert.Contains(names, n => n.StartsWith(area, StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Send_HostileRequest_RefusedNamingFieldWithNothingSentOrWritten(string name)
    {
        var hostile = HostileInputCorpus.All[name];
        var gateway = fixture.Gateway;
        var ordersBefore = DistributorCalls(gateway);
        var rowsBefore = await LedgerRowsAsync(gateway);

        var answer = await hostile.Send(fixture.Target);

        Assert.True(answer.Status < 500, $"{name}: {answer}");
        Assert.Equal(hostile.Status, answer.Status);
        if (hostile.Protocol)
        {
            Assert.Empty(answer.Body);
        }
        else if (hostile.Page)
        {
            Assert.Equal("nosniff", answer.Header("X-Content-Type-Options"));
            Assert.StartsWith("text/html", answer.Header("Content-Type"), StringComparison.Ordinal);
        }
        else
        {
            Assert.Equal("nosniff", answer.Header("X-Content-Type-Options"));
            AssertProblemNamingField(answer, hostile.Field);
        }

        Assert.Equal(ordersBefore, DistributorCalls(gateway));
        Assert.Equal(rowsBefore, await LedgerRowsAsync(gateway));
        using var good = await gateway.PurchaseAsync(fixture.Target.NewKey());
        Assert.Equal(HttpStatusCode.Created, good.StatusCode);
    }

    internal static void AssertProblemNamingField(RawHttp.Answer answer, string field)
    {
        Assert.StartsWith("application/problem+json", answer.Header("Content-Type"), StringComparison.Ordinal);
        using var document = JsonDocument.Parse(answer.Body);
        var problem = document.RootElement;
        foreach (var member in new[] { "type", "title", "detail" })
        {
            Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty(member).GetString()), $"no {member} in {answer}");
        }

        Assert.Equal(answer.Status, problem.GetProperty("status").GetInt32());
        var named = (problem.TryGetProperty("errors", out var errors) && errors.EnumerateObject().Any(e => e.Name.Equals(field, StringComparison.OrdinalIgnoreCase)))
            || problem.GetProperty("detail").GetString()!.Contains(field, StringComparison.OrdinalIgnoreCase);
        Assert.True(named, $"the answer does not name '{field}': {answer}");
    }

    /// <summary>Every order request any simulated distributor received, sold or refused.</summary>
    private static int DistributorCalls(GatewayHarness gateway) =>
        gateway.Fleet.Distributors.Sum(d => d.OrdersCreated + d.OverloadRejections + d.UnauthorizedRequests);

    private static Task<long> LedgerRowsAsync(GatewayHarness gateway) =>
        gateway.QueryLedgerAsync<long>("SELECT (SELECT COUNT(*) FROM purchases) + (SELECT COUNT(*) FROM purchase_attempts) + (SELECT COUNT(*) FROM reports)");
}
