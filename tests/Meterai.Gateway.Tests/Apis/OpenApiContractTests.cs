using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using Meterai.Gateway.Tests.Observability.Dashboards;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Apis;

/// <summary>GET /openapi/v1.json against the contract in docs/api/gateway-api.md.</summary>
public sealed partial class OpenApiContractTests
{
    /// <summary>Every API endpoint of the contract and the status codes it answers (pages for people are not in the document).</summary>
    private static readonly (string Method, string Path, int[] Statuses)[] Contract =
    [
        ("post", "/api/purchases", [201, 202, 400, 409, 415, 422, 503]),
        ("get", "/api/purchases/{purchaseId}", [200, 404]),
        ("get", "/api/status", [200]),
        ("get", "/api/oversight/distributors", [200, 401, 403]),
        ("get", "/api/oversight/flags", [200, 401, 403]),
        ("post", "/api/oversight/audit", [200, 401, 403]),
        ("post", "/api/oversight/reports", [201, 400, 401, 403, 415]),
        ("get", "/api/oversight/reports", [200, 401, 403]),
        ("get", "/api/oversight/reports/{reportId}", [200, 401, 403, 404, 406]),
        ("get", "/healthz", [200]),
        ("get", "/readyz", [200, 503]),
        ("get", "/metrics", [200]),
    ];

    /// <summary>Pages for people, the document itself, and the distributor API the contract mentions.</summary>
    private static readonly string[] NotInTheDocument = ["/status", "/oversight", "/openapi/v1.json", "/orders"];

    [Fact]
    public async Task GetOpenApi_NoKey_EveryContractEndpointWithItsStatusCodes()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);

        using var response = await gateway.Client.GetAsync("/openapi/v1.json");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.StartsWith("3.", document.RootElement.GetProperty("openapi").GetString(), StringComparison.Ordinal);
        var paths = document.RootElement.GetProperty("paths");
        var missing = new List<string>();
        foreach (var (method, path, statuses) in Contract)
        {
            if (!paths.TryGetProperty(path, out var item) || !item.TryGetProperty(method, out var operation))
            {
                missing.Add($"{method.ToUpperInvariant()} {path}");
                continue;
            }

            var documented = operation.GetProperty("responses").EnumerateObject().Select(r => int.Parse(r.Name, System.Globalization.CultureInfo.InvariantCulture)).ToHashSet();
            missing.AddRange(statuses.Where(s => !documented.Contains(s)).Select(s => $"{method.ToUpperInvariant()} {path}: {s}"));
        }

        Assert.True(missing.Count == 0, "missing from /openapi/v1.json:\n" + string.Join('\n', missing));
        var purchase = paths.GetProperty("/api/purchases").GetProperty("post");
        Assert.Equal("application/problem+json", Assert.Single(purchase.GetProperty("responses").GetProperty("422").GetProperty("content").EnumerateObject()).Name);
        Assert.True(purchase.GetProperty("responses").GetProperty("503").GetProperty("headers").TryGetProperty("Retry-After", out _));

        // Issue 28: the 503 for a full fleet carries the key's place in line, beside the problem's fields.
        var inLine = purchase.GetProperty("responses").GetProperty("503").GetProperty("content").GetProperty("application/problem+json").GetProperty("schema").GetProperty("allOf");
        var properties = inLine.EnumerateArray().Where(s => s.TryGetProperty("properties", out _)).Select(s => s.GetProperty("properties")).ToList();
        var added = Assert.Single(properties, p => p.TryGetProperty("position", out _));
        Assert.Equal("integer", added.GetProperty("position").GetProperty("type").GetString());
        Assert.Equal("number", added.GetProperty("estimatedWaitSeconds").GetProperty("type").GetString());
        Assert.Contains(properties, p => p.TryGetProperty("detail", out _) && p.TryGetProperty("type", out _));
        Assert.True(paths.GetProperty("/api/oversight/flags").GetProperty("get").TryGetProperty("security", out _));
    }

    [Fact]
    public void Contract_EveryEndpointTheGatewayApiDocLists_IsInTheTestsTable()
    {
        var doc = File.ReadAllText(RepositoryFiles.PathOf("docs", "api", "gateway-api.md"));
        var listed = Endpoint().Matches(doc)
            .Select(m => (Method: m.Groups["method"].Value.ToLowerInvariant(), Path: Normalize(m.Groups["path"].Value)))
            .Where(e => !NotInTheDocument.Contains(e.Path) && !e.Path.StartsWith("/orders", StringComparison.Ordinal))
            .Distinct()
            .ToList();
        Assert.NotEmpty(listed);

        var table = Contract.Select(c => (c.Method, Path: Normalize(c.Path))).ToHashSet();
        Assert.All(listed, endpoint => Assert.Contains(endpoint, table));
        Assert.All(table, endpoint => Assert.Contains(endpoint, listed));
    }

    /// <summary>Path parameters by position, whatever their names; no query string.</summary>
    private static string Normalize(string path) => PathParameter().Replace(path.Split('?')[0], "{}");

    [GeneratedRegex(@"\b(?<method>GET|POST) (?<path>/[a-z/{}A-Z?=.0-9]*)")]
    private static partial Regex Endpoint();

    [GeneratedRegex(@"\{[^}]+\}")]
    private static partial Regex PathParameter();
}
