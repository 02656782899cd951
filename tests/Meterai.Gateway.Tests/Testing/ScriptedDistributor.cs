using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace Meterai.Gateway.Tests.Testing;

/// <summary>What one scripted endpoint answers: a status, a body, headers; <c>null</c> leaves the distributor spec's own answer.</summary>
internal sealed record ScriptedAnswer(int Status, string? Body = null, IReadOnlyDictionary<string, string>? Headers = null)
{
    /// <summary>A body padded past the gateway's 64 KiB limit with JSON whitespace, so that only the limit makes it unreadable.</summary>
    public static string Padded(string json) => json[..^1] + new string(' ', 70 * 1024) + "}";

    public static ScriptedAnswer Redirect(int status, string location) => new(status, Headers: new Dictionary<string, string> { ["Location"] = location });
}

/// <summary>
/// An independent distributor on loopback Kestrel, written from the distributor spec alone, whose
/// answers a test scripts per endpoint: it charges an order and then answers whatever the test says
/// (403, a redirect, a 200...), charges a test-chosen amount, and answers probes, look-ups and refunds
/// as scripted. Anything under <c>/elsewhere</c> is a redirect target that counts the requests reaching it.
/// </summary>
internal sealed class ScriptedDistributor : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentDictionary<string, Order> _byKey = new(StringComparer.Ordinal);
    private int _elsewhere;
    private int _orderRequests;

    private ScriptedDistributor(string id, WebApplication app, Uri baseUrl)
    {
        Id = id;
        _app = app;
        BaseUrl = baseUrl;
    }

    public string Id { get; }

    public Uri BaseUrl { get; }

    /// <summary>What POST /orders answers once the order is charged; null: 201 issued or 202 pending per <see cref="IssueAtOnce"/>.</summary>
    public ScriptedAnswer? OrderAnswer { get; set; }

    /// <summary>False: every order is refused before anything is charged (with <see cref="OrderAnswer"/>).</summary>
    public bool Charges { get; set; } = true;

    /// <summary>New orders are issued at once; otherwise pending until <see cref="IssueAll"/>.</summary>
    public bool IssueAtOnce { get; set; }

    /// <summary>What one e-Meterai is charged (the spec says 10,000).</summary>
    public long PricePerEMeterai { get; set; } = 10_000;

    public ScriptedAnswer? HealthAnswer { get; set; }

    public ScriptedAnswer? LookupAnswer { get; set; }

    public ScriptedAnswer? RefundAnswer { get; set; }

    public int OrderRequests => Volatile.Read(ref _orderRequests);

    /// <summary>Requests that followed a redirect to <c>/elsewhere</c>.</summary>
    public int ElsewhereRequests => Volatile.Read(ref _elsewhere);

    public IReadOnlyCollection<Order> Orders => _byKey.Values.ToList();

    public static async Task<ScriptedDistributor> StartAsync(string id = "scripted")
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        ScriptedDistributor? self = null;
        app.Map("/elsewhere/{**rest}", (HttpContext context) => self!.ElsewhereAsync(context));
        app.MapGet("/health", (HttpContext context) => WriteAsync(context, self!.HealthAnswer ?? new ScriptedAnswer(200, """{"status":"ok"}""")));
        app.MapGet("/stock", (HttpContext context) => WriteAsync(context, new ScriptedAnswer(200, """{"available":100000,"unitPrice":10000}""")));
        app.MapPost("/orders", (HttpContext context) => self!.PlaceAsync(context));
        app.MapGet("/orders", (HttpContext context, string idempotencyKey) =>
            self!.AnswerOrderAsync(context, self._byKey.GetValueOrDefault(idempotencyKey)));
        app.MapGet("/orders/{orderId}", (HttpContext context, string orderId) =>
            self!.AnswerOrderAsync(context, self._byKey.Values.FirstOrDefault(o => o.OrderId == orderId)));
        app.MapPost("/orders/{orderId}/refund", (HttpContext context, string orderId) => self!.RefundAsync(context, orderId));
        await app.StartAsync();
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        self = new ScriptedDistributor(id, app, new Uri(address + "/"));
        return self;
    }

    /// <summary>The registry JSON with this distributor added (for <see cref="GatewayHarness.StartAsync"/>'s <c>editRegistry</c>).</summary>
    public string AddTo(string registryJson)
    {
        var registry = JsonNode.Parse(registryJson)!;
        registry["distributors"]!.AsArray().Add(new JsonObject
        {
            ["id"] = Id,
            ["name"] = "PT Skrip " + Id,
            ["baseUrl"] = BaseUrl.AbsoluteUri,
            ["maxConcurrency"] = 8,
        });
        return registry.ToJsonString();
    }

    /// <summary>Orders for this purchase (its id is the Idempotency-Key the gateway sent).</summary>
    public int OrdersFor(string purchaseId) => _byKey.ContainsKey(purchaseId) ? 1 : 0;

    /// <summary>Charges an order for this key now, as a POST /orders would.</summary>
    public Order Charge(string idempotencyKey, int quantity = 1) =>
        _byKey.GetOrAdd(idempotencyKey, k => new Order("ord_" + Guid.NewGuid().ToString("N")[..12], k, quantity, quantity * PricePerEMeterai, IssueAtOnce));

    public void IssueAll()
    {
        foreach (var order in _byKey.Values)
        {
            order.Issue();
        }
    }

    /// <summary>The answer a caller that followed the redirect would be glad of: a healthy probe, the order, a confirmed refund.</summary>
    private Task ElsewhereAsync(HttpContext context)
    {
        Interlocked.Increment(ref _elsewhere);
        var path = context.Request.Path.Value ?? "";
        if (path.EndsWith("/refund", StringComparison.Ordinal))
        {
            return WriteAsync(context, new ScriptedAnswer(200, JsonSerializer.Serialize(new { orderId = path.Split('/')[^2], status = "refunded" })));
        }

        return context.Request.Query["idempotencyKey"] is [{ } key] && _byKey.TryGetValue(key, out var order)
            ? WriteAsync(context, new ScriptedAnswer(200, order.Json(withKey: true)))
            : WriteAsync(context, new ScriptedAnswer(200, """{"status":"ok"}"""));
    }

    private async Task PlaceAsync(HttpContext context)
    {
        Interlocked.Increment(ref _orderRequests);
        string? key = context.Request.Headers["Idempotency-Key"];
        var request = await JsonSerializer.DeserializeAsync<JsonElement>(context.Request.Body);
        var quantity = request.GetProperty("quantity").GetInt32();
        if (!Charges || string.IsNullOrEmpty(key))
        {
            await WriteAsync(context, OrderAnswer ?? new ScriptedAnswer(503));
            return;
        }

        var order = Charge(key, quantity);
        if (OrderAnswer is { } scripted)
        {
            await WriteAsync(context, scripted);
            return;
        }

        await WriteAsync(context, new ScriptedAnswer(order.Status == "issued" ? 201 : 202, order.Json(withKey: false)));
    }

    private Task AnswerOrderAsync(HttpContext context, Order? order) =>
        WriteAsync(context, LookupAnswer ?? (order is null ? new ScriptedAnswer(404, """{"error":"not_found"}""") : new ScriptedAnswer(200, order.Json(withKey: true))));

    private Task RefundAsync(HttpContext context, string orderId)
    {
        if (RefundAnswer is { } scripted)
        {
            return WriteAsync(context, scripted);
        }

        var order = _byKey.Values.FirstOrDefault(o => o.OrderId == orderId);
        if (order is null)
        {
            return WriteAsync(context, new ScriptedAnswer(404, """{"error":"not_found"}"""));
        }

        return order.TryRefund()
            ? WriteAsync(context, new ScriptedAnswer(200, JsonSerializer.Serialize(new { orderId, status = "refunded" })))
            : WriteAsync(context, new ScriptedAnswer(409, """{"error":"already_issued"}"""));
    }

    private static async Task WriteAsync(HttpContext context, ScriptedAnswer answer)
    {
        context.Response.StatusCode = answer.Status;
        foreach (var (name, value) in answer.Headers ?? new Dictionary<string, string>())
        {
            context.Response.Headers[name] = value;
        }

        if (answer.Body is { } body)
        {
            context.Response.ContentType = "application/json";
            await context.Response.Body.WriteAsync(Encoding.UTF8.GetBytes(body));
        }
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();

    /// <summary>One charged order; pending until issued, refundable until issued.</summary>
    internal sealed class Order(string orderId, string idempotencyKey, int quantity, long amount, bool issued)
    {
        private readonly Lock _lock = new();
        private string _status = issued ? "issued" : "pending";

        public string OrderId { get; } = orderId;

        public string IdempotencyKey { get; } = idempotencyKey;

        public int Quantity { get; } = quantity;

        public long Amount { get; } = amount;

        public string Status
        {
            get
            {
                lock (_lock)
                {
                    return _status;
                }
            }
        }

        public void Issue()
        {
            lock (_lock)
            {
                _status = _status == "pending" ? "issued" : _status;
            }
        }

        public bool TryRefund()
        {
            lock (_lock)
            {
                if (_status == "issued")
                {
                    return false;
                }

                _status = "refunded";
                return true;
            }
        }

        public string Json(bool withKey)
        {
            var status = Status;
            var serials = status == "issued" ? Enumerable.Range(1, Quantity).Select(i => $"MT-{OrderId}-{i}").ToArray() : [];
            return withKey
                ? JsonSerializer.Serialize(new { orderId = OrderId, status, quantity = Quantity, amount = Amount, serials, idempotencyKey = IdempotencyKey })
                : JsonSerializer.Serialize(new { orderId = OrderId, status, quantity = Quantity, amount = Amount, serials });
        }
    }
}
