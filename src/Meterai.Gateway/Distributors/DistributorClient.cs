using System.Net;
using System.Text.Json;
using Meterai.Gateway.Kernel;

namespace Meterai.Gateway.Distributors;

/// <summary>
/// The distributor API calls that are not purchases: probes, order look-ups and refunds, over the
/// one configured client (<see cref="DistributorHttp"/>: no redirects, at most 64 KiB of an answer).
/// Purchases themselves go through YARP (see Purchases/), under the same rules.
/// </summary>
/// <remarks>
/// Transport failures and timeouts surface as exceptions on purpose: callers wrap these calls in
/// Polly pipelines that decide what is worth retrying.
/// </remarks>
internal sealed class DistributorClient
{
    private readonly Func<HttpClient> _http;

    /// <summary>
    /// A client per call from the factory, so singletons that hold this (order look-up, the
    /// reconciler) never pin one handler: the factory's handlers rotate and see DNS changes.
    /// </summary>
    public DistributorClient(IHttpClientFactory httpClients) => _http = () => httpClients.CreateClient(HttpClientName);

    /// <summary>Over one fixed client (tests); give it a <see cref="DistributorHttp.CreateHandler"/> to keep the gateway's rules.</summary>
    public DistributorClient(HttpClient http) => _http = () => http;

    public const string HttpClientName = "distributors";

    /// <summary>GET /health: 200 means able to sell now; any other status is returned for the caller to judge.</summary>
    /// <exception cref="HttpRequestException">The answer could not be read whole within 64 KiB: not a healthy one.</exception>
    public async Task<HttpStatusCode> GetHealthAsync(DistributorEntry distributor, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(distributor, HttpMethod.Get, "health", cancellationToken);
        await ReadBodyAsync(response, cancellationToken);
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

        var stock = JsonSerializer.Deserialize(await ReadBodyAsync(response, cancellationToken), DistributorJsonContext.Default.DistributorStock);
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

    /// <summary>
    /// POST /orders/{orderId}/refund. Only <c>200 {"status":"refunded"}</c> confirms the refund;
    /// 409 says the order is issued (never refunded) and 404 that the id is unknown there.
    /// </summary>
    /// <exception cref="HttpRequestException">Any other answer, a 200 that does not confirm, or an unreadable one: ask again later.</exception>
    public async Task<RefundAnswer> RequestRefundAsync(DistributorEntry distributor, string orderId, CancellationToken cancellationToken)
    {
        using var response = await SendAsync(distributor, HttpMethod.Post, "orders/" + Uri.EscapeDataString(orderId) + "/refund", cancellationToken);
        var body = await ReadBodyAsync(response, cancellationToken);
        return response.StatusCode switch
        {
            HttpStatusCode.OK when ConfirmsRefund(body, orderId) => RefundAnswer.Refunded,
            HttpStatusCode.OK => throw new HttpRequestException("refund answered 200 without confirming the refund", null, response.StatusCode),
            HttpStatusCode.Conflict => RefundAnswer.AlreadyIssued,
            HttpStatusCode.NotFound => RefundAnswer.UnknownOrder,
            _ => throw new HttpRequestException($"refund answered {(int)response.StatusCode}", null, response.StatusCode),
        };
    }

    /// <summary>Distributor spec: <c>200 {"orderId","status":"refunded"}</c>; an order id, when given, must be the one refunded.</summary>
    private static bool ConfirmsRefund(byte[] body, string orderId)
    {
        try
        {
            var answer = body.Length == 0 ? null : JsonSerializer.Deserialize(body, DistributorJsonContext.Default.DistributorOrder);
            return answer is { Status: DistributorOrderStatus.Refunded }
                && (answer.OrderId is null || string.Equals(answer.OrderId, orderId, StringComparison.Ordinal));
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static async Task<DistributorOrder?> ReadOrderAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        // Anything but 200 (a redirect, 403, 408, 5xx...) proves neither an order nor its absence.
        if (response.StatusCode != HttpStatusCode.OK)
        {
            throw new HttpRequestException($"order look-up answered {(int)response.StatusCode}", null, response.StatusCode);
        }

        var body = await ReadBodyAsync(response, cancellationToken);
        return (body.Length == 0 ? null : JsonSerializer.Deserialize(body, DistributorJsonContext.Default.DistributorOrder))
            ?? throw new HttpRequestException("order look-up answered an empty body");
    }

    /// <summary>The whole answer, at most 64 KiB of it (<see cref="DistributorHttp"/>).</summary>
    /// <exception cref="HttpRequestException">The answer is longer, or broke off: it cannot be read.</exception>
    private static async Task<byte[]> ReadBodyAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            return await DistributorHttp.ReadAnswerAsync(response.Content, cancellationToken);
        }
        catch (InvalidDataException ex)
        {
            throw new HttpRequestException(HttpRequestError.InvalidResponse, "the distributor's answer is over 64 KiB", ex);
        }
        catch (IOException ex)
        {
            throw new HttpRequestException(HttpRequestError.ResponseEnded, "the distributor's answer broke off", ex);
        }
    }

    /// <summary>Headers only: the body is read by <see cref="ReadBodyAsync"/>, never buffered whole by HttpClient.</summary>
    private Task<HttpResponseMessage> SendAsync(DistributorEntry distributor, HttpMethod method, string relative, CancellationToken cancellationToken)
    {
        var request = new HttpRequestMessage(method, new Uri(distributor.BaseUrl, relative));
        if (distributor.Authorization is { } authorization)
        {
            // Per request, never in DefaultRequestHeaders: one HttpClient serves every distributor.
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        return _http().SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken);
    }
}

internal enum RefundAnswer
{
    Refunded,
    AlreadyIssued,
    UnknownOrder,
}
