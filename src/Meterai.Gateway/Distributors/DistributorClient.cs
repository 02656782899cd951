using System.Net;
using System.Net.Http.Json;

namespace Meterai.Gateway.Distributors;

/// <summary>
/// The distributor API calls that are not purchases: probes, order look-ups and refunds.
/// Purchases themselves go through YARP (see Purchases/).
/// </summary>
/// <remarks>
/// Transport failures and timeouts surface as exceptions on purpose: callers wrap these calls in
/// Polly pipelines that decide what is worth retrying.
/// </remarks>
public sealed class DistributorClient
{
    private readonly Func<HttpClient> _http;

    /// <summary>
    /// A client per call from the factory, so singletons that hold this (order look-up, the
    /// reconciler) never pin one handler: the factory's handlers rotate and see DNS changes.
    /// </summary>
    public DistributorClient(IHttpClientFactory httpClients) => _http = () => httpClients.CreateClient(HttpClientName);

    /// <summary>Over one fixed client (tests).</summary>
    public DistributorClient(HttpClient http) => _http = () => http;

    public const string HttpClientName = "distributors";

    /// <summary>GET /health: 200 means able to sell now; any other status is returned for the caller to judge.</summary>
    public async Task<HttpStatusCode> GetHealthAsync(DistributorEntry distributor, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(distributor, HttpMethod.Get, "health", cancellationToken);
        return response.StatusCode;
    }

    /// <summary>Available stock, or null when the distributor did not answer 200 with a stock body.</summary>
    public async Task<int?> GetStockAsync(DistributorEntry distributor, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(distributor, HttpMethod.Get, "stock", cancellationToken);
        if (response.StatusCode != HttpStatusCode.OK)
        {
            return null;
        }

        var stock = await response.Content.ReadFromJsonAsync(GatewayJsonContext.Default.DistributorStock, cancellationToken);
        return stock?.Available;
    }

    /// <summary>GET /orders?idempotencyKey=: the order, or null for 404 (no order exists, nothing charged).</summary>
    /// <exception cref="HttpRequestException">Any other answer: the question stays open.</exception>
    public async Task<DistributorOrder?> FindOrderByKeyAsync(DistributorEntry distributor, string idempotencyKey, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(distributor, HttpMethod.Get, "orders?idempotencyKey=" + Uri.EscapeDataString(idempotencyKey), cancellationToken);
        return await ReadOrderAsync(response, cancellationToken);
    }

    /// <summary>GET /orders/{orderId}: the order, or null for 404.</summary>
    public async Task<DistributorOrder?> GetOrderAsync(DistributorEntry distributor, string orderId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(distributor, HttpMethod.Get, "orders/" + Uri.EscapeDataString(orderId), cancellationToken);
        return await ReadOrderAsync(response, cancellationToken);
    }

    /// <summary>POST /orders/{orderId}/refund: true once the distributor confirms the refund.</summary>
    public async Task<RefundAnswer> RequestRefundAsync(DistributorEntry distributor, string orderId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(distributor, HttpMethod.Post, "orders/" + Uri.EscapeDataString(orderId) + "/refund", cancellationToken);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => RefundAnswer.Refunded,
            HttpStatusCode.Conflict => RefundAnswer.AlreadyIssued,
            HttpStatusCode.NotFound => RefundAnswer.UnknownOrder,
            _ => throw new HttpRequestException($"refund answered {(int)response.StatusCode}", null, response.StatusCode),
        };
    }

    private static async Task<DistributorOrder?> ReadOrderAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"order look-up answered {(int)response.StatusCode}", null, response.StatusCode);
        }

        return await response.Content.ReadFromJsonAsync(GatewayJsonContext.Default.DistributorOrder, cancellationToken)
            ?? throw new HttpRequestException("order look-up answered an empty body");
    }

    private Task<HttpResponseMessage> SendAsync(DistributorEntry distributor, HttpMethod method, string relative, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, new Uri(distributor.BaseUrl, relative));
        if (distributor.Authorization is { } authorization)
        {
            // Per request, never in DefaultRequestHeaders: one HttpClient serves every distributor.
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return _http().SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken);
    }
}

public enum RefundAnswer
{
    Refunded,
    AlreadyIssued,
    UnknownOrder,
}
