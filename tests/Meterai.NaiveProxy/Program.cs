using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.LoadBalancing;
using Yarp.ReverseProxy.Transforms;

namespace Meterai.NaiveProxy;

/// <summary>
/// The proxy most teams would put in front of the distributors (issue 5): YARP with the defaults.
/// <c>POST /api/purchases</c> goes round-robin to every distributor's <c>POST /orders</c>, headers
/// (Idempotency-Key included) and body as they are; no admission control, no health checks, no
/// retries, the default 100 s activity timeout. With <c>--passthrough</c> every path and method is
/// forwarded unchanged instead (the "plain YARP" path of the overhead benchmark).
/// </summary>
internal static class Program
{
    private const string Usage = """
        Usage: Meterai.NaiveProxy --registry FILE [--passthrough] [--urls http://127.0.0.1:8181] [ASP.NET options]
          --registry FILE   the gateway's registry format: {"distributors": [{"id": "d01", "baseUrl": "http://127.0.0.1:9001"}]}
          --passthrough     forward every request unchanged (/{**catch-all}) instead of POST /api/purchases -> POST /orders
        GET /_proxy/health answers 200 once the proxy listens.
        """;

    internal static async Task<int> Main(string[] args)
    {
        string? registry = null;
        var passthrough = false;
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            switch (args[i])
            {
                case "--help" or "-h":
                    await Console.Out.WriteLineAsync(Usage).ConfigureAwait(false);
                    return 0;
                case "--registry" when i + 1 < args.Length:
                    registry = args[++i];
                    break;
                case "--passthrough":
                    passthrough = true;
                    break;
                default:
                    rest.Add(args[i]);
                    break;
            }
        }

        IReadOnlyList<Destination> destinations;
        try
        {
            destinations = registry is null ? throw new RegistryException("--registry FILE is required.") : Registry.Load(registry);
        }
        catch (RegistryException ex)
        {
            await Console.Error.WriteLineAsync($"error: {ex.Message}").ConfigureAwait(false);
            return 2;
        }

        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [.. rest], ContentRootPath = AppContext.BaseDirectory });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls("http://127.0.0.1:8181");
        }

        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.Services.AddReverseProxy().LoadFromMemory([Route(passthrough)], [Cluster(destinations)]);

        var app = builder.Build();
        app.MapGet("/_proxy/health", () => "ok");
        app.MapReverseProxy();
        await app.StartAsync().ConfigureAwait(false);
        await Console.Out.WriteLineAsync(
            $"naive proxy on {string.Join(", ", app.Urls)}: {(passthrough ? "every request unchanged" : "POST /api/purchases -> POST /orders")}, round-robin over {destinations.Count} destination(s)").ConfigureAwait(false);
        await app.WaitForShutdownAsync().ConfigureAwait(false);
        return 0;
    }

    private static RouteConfig Route(bool passthrough) => passthrough
        ? new RouteConfig { RouteId = "all", ClusterId = "distributors", Match = new RouteMatch { Path = "/{**catch-all}" } }
        : new RouteConfig
        {
            RouteId = "purchases",
            ClusterId = "distributors",
            Match = new RouteMatch { Path = "/api/purchases", Methods = ["POST"] },
        }.WithTransformPathSet("/orders");

    // Nothing but the destinations and round-robin: HttpRequest (ActivityTimeout 100 s), health
    // checks and session affinity stay YARP's defaults.
    private static ClusterConfig Cluster(IReadOnlyList<Destination> destinations) => new()
    {
        ClusterId = "distributors",
        LoadBalancingPolicy = LoadBalancingPolicies.RoundRobin,
        Destinations = destinations.ToDictionary(d => d.Id, d => new DestinationConfig { Address = d.BaseUrl }, StringComparer.Ordinal),
    };
}
