using System.Net;
using System.Net.Sockets;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Routing;

namespace Meterai.Gateway.Purchases;

/// <summary>How the purchase sends one order to one distributor: faked in tests, real in <see cref="HttpOrderSender"/>.</summary>
internal interface IOrderSender
{
    /// <summary>Sends POST /orders with the purchase's own body and key, and reads the answer. Never throws for what the distributor or the network does.</summary>
    /// <remarks>Not cancellable by the applicant: an order in flight is their money, so it is always finished.</remarks>
    Task<AttemptResult> SendAsync(DistributorEntry distributor, string purchaseId, byte[] body);
}

/// <summary>
/// Sends each order through the <see cref="HttpMessageInvoker"/> YARP built for the distributors'
/// cluster (Routing/DistributorForwarderClientFactory: no redirects, no cookies, no proxy, no
/// decompression), bounded by the cluster's request timeout, and reads at most 64 KiB of the answer
/// as every distributor call does (<see cref="DistributorHttp.ReadAnswerAsync"/>). The body is the
/// gateway's canonical one, never the applicant's stream, so the forwarder's request and response
/// copying has nothing to do here (docs/architecture.md, "One purchase").
/// </summary>
internal sealed class HttpOrderSender(DistributorRouting routing, Microsoft.Extensions.Options.IOptions<PurchasingOptions> options, TimeProvider time) : IOrderSender
{
    /// <summary>Added unparsed: a typed header value is formatted again for every request that carries it.</summary>
    private const string Json = "application/json; charset=utf-8";

    public async Task<AttemptResult> SendAsync(DistributorEntry distributor, string purchaseId, byte[] body)
    {
        var started = time.GetTimestamp();
        if (!routing.TryGetCluster(out var cluster) || cluster.Model.HttpClient is not { } invoker)
        {
            return AttemptResult.Failed(AttemptFailure.NeverConnected, started, 0, 0, started);
        }

        var settings = cluster.Model.Config.HttpRequest;
        var content = new OrderContent(body, time);
        content.Headers.TryAddWithoutValidation("Content-Type", Json);
        using var request = new HttpRequestMessage(HttpMethod.Post, distributor.OrdersUri)
        {
            Content = content,
            Version = settings?.Version ?? HttpVersion.Version11,
            VersionPolicy = settings?.VersionPolicy ?? HttpVersionPolicy.RequestVersionOrLower,
        };

        // Nothing of the applicant's request is the distributor's business: only the purchase id as
        // the distributor's Idempotency-Key, and the gateway's own credentials.
        request.Headers.TryAddWithoutValidation(PurchaseRequest.IdempotencyKeyHeader, purchaseId);
        if (distributor.Authorization is { } authorization)
        {
            request.Headers.TryAddWithoutValidation("Authorization", authorization);
        }

        using var timeout = new CancellationTokenSource(settings?.ActivityTimeout ?? options.Value.AttemptTimeout, time);
        HttpResponseMessage response;
        try
        {
            response = await invoker.SendAsync(request, timeout.Token);
        }
        catch (Exception ex) when (ex is HttpRequestException or OperationCanceledException or IOException)
        {
            var failure = timeout.IsCancellationRequested ? AttemptFailure.TimedOut : NeverConnected(ex) ? AttemptFailure.NeverConnected : AttemptFailure.Dropped;
            return AttemptResult.Failed(failure, started, content.WrittenAt, 0, time.GetTimestamp());
        }

        using (response)
        {
            var headersAt = time.GetTimestamp();
            var status = (int)response.StatusCode;

            try
            {
                var answer = await DistributorHttp.ReadAnswerAsync(response.Content, timeout.Token);
                return AttemptResult.Answered(status, answer, started, content.WrittenAt, headersAt, time.GetTimestamp());
            }
            catch (Exception ex) when (ex is InvalidDataException or HttpRequestException or OperationCanceledException or IOException)
            {
                // Over 64 KiB, or a connection dropped mid-answer: the order may exist. The orchestrator looks it up.
                return AttemptResult.Failed(AttemptFailure.AnswerUnreadable, started, content.WrittenAt, headersAt, time.GetTimestamp(), status);
            }
        }
    }

    private static bool NeverConnected(Exception exception) =>
        exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }
        || exception.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable };

    /// <summary>The canonical body, written as it is, noting when it was handed to the connection.</summary>
    private sealed class OrderContent(byte[] body, TimeProvider time) : HttpContent
    {
        public long WrittenAt { get; private set; }

        protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            await stream.WriteAsync(body, cancellationToken);
            WrittenAt = time.GetTimestamp();
        }

        protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) => SerializeToStreamAsync(stream, context, CancellationToken.None);

        protected override void SerializeToStream(Stream stream, TransportContext? context, CancellationToken cancellationToken)
        {
            stream.Write(body);
            WrittenAt = time.GetTimestamp();
        }

        protected override bool TryComputeLength(out long length)
        {
            length = body.Length;
            return true;
        }
    }
}
