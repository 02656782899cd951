using System.Net;
using System.Net.Sockets;
using System.Text;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Purchases;
using Meterai.Gateway.Routing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Configuration;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Meterai.Gateway.Tests.Purchases;

/// <summary>The real sender over the HTTP client of the distributors' YARP cluster: what leaves, and what is read back.</summary>
public sealed class OrderSenderTests
{
    private static readonly byte[] Body = Encoding.UTF8.GetBytes("""{"quantity":1,"applicantRef":"applicant-1"}""");
    private readonly FakeTimeProvider _time = new();
    private readonly DistributorEntry _distributor = new("d1", "d1", new Uri("http://d1.example/base/"), "secret-key", 4);

    private HttpOrderSender Sender(HttpMessageInvoker invoker, TimeSpan? timeout = null)
    {
        var config = new ClusterConfig { ClusterId = GatewayProxy.ClusterId, HttpRequest = new ForwarderRequestConfig { ActivityTimeout = timeout ?? TimeSpan.FromSeconds(10) } };
        var routing = new DistributorRouting(
            new OrchestratorRig.OneCluster(new ClusterState(GatewayProxy.ClusterId, new ClusterModel(config, invoker))),
            new OrchestratorRig.NoHealthChanges(),
            null!,
            NullLogger<DistributorRouting>.Instance);
        return new HttpOrderSender(routing, Options.Create(new PurchasingOptions()), _time);
    }

    private static string OrderOfLength(int length)
    {
        var order = """{"orderId":"ord_1","status":"issued","quantity":1,"amount":10000,"serials":["MT-1"]}""";
        return order + new string(' ', length - order.Length);
    }

    [Fact]
    public async Task SendAsync_Order_CarriesTheCanonicalBodyThePurchaseIdAsKeyAndTheBearerOnly()
    {
        HttpRequestMessage? seen = null;
        byte[]? body = null;
        var sender = Sender(new HttpMessageInvoker(new Handler(async request =>
        {
            seen = request;
            body = await request.Content!.ReadAsByteArrayAsync();
            return new HttpResponseMessage(HttpStatusCode.Created) { Content = new StringContent(OrderOfLength(90)) };
        })));

        var result = await sender.SendAsync(_distributor, "pur_0123", Body);

        Assert.NotNull(seen);
        Assert.Equal(HttpMethod.Post, seen.Method);
        Assert.Equal(new Uri("http://d1.example/base/orders"), seen.RequestUri);
        Assert.Equal(
            ["Authorization: Bearer secret-key", "Idempotency-Key: pur_0123"],
            seen.Headers.Select(h => $"{h.Key}: {string.Join(",", h.Value)}").Order(StringComparer.Ordinal));
        Assert.Equal("application/json; charset=utf-8", seen.Content!.Headers.ContentType?.ToString());
        Assert.Equal(Body.Length, seen.Content.Headers.ContentLength);
        Assert.Equal(Body, body);
        Assert.Equal(201, result.Status);
        Assert.Equal("ord_1", result.Order?.OrderId);
        Assert.True(result.WrittenAt > 0);
    }

    [Theory]
    [InlineData(300)]
    [InlineData(1024)] // exactly the first buffer: the read that follows must still find the end
    [InlineData(5000)]
    [InlineData(64 * 1024)] // exactly the limit
    public async Task SendAsync_AnswerInSmallReads_ReadsTheWholeOrder(int length)
    {
        var answer = Encoding.UTF8.GetBytes(OrderOfLength(length));
        var sender = Sender(new HttpMessageInvoker(new Handler(_ =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.Created) { Content = new StreamContent(new TrickleStream(answer, chunk: 700)) }))));

        var result = await sender.SendAsync(_distributor, "pur_0123", Body);

        Assert.Equal(AttemptFailure.None, result.Failure);
        Assert.Equal(["MT-1"], result.Order?.Serials ?? []);
    }

    [Theory]
    [InlineData(64 * 1024 + 1)]
    [InlineData(200 * 1024)]
    public async Task SendAsync_AnswerOverTheLimit_Unreadable(int length)
    {
        var sender = Sender(new HttpMessageInvoker(new Handler(_ =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.Created) { Content = new StreamContent(new TrickleStream(new byte[length], chunk: 4096)) }))));

        var result = await sender.SendAsync(_distributor, "pur_0123", Body);

        Assert.Equal(201, result.Status);
        Assert.Equal(AttemptFailure.AnswerUnreadable, result.Failure);
        Assert.Null(result.Order);
    }

    public static TheoryData<Exception, AttemptFailure> TransportFailures => new()
    {
        { new HttpRequestException(HttpRequestError.ConnectionError, "connect failed"), AttemptFailure.NeverConnected },
        { new HttpRequestException(HttpRequestError.NameResolutionError, "no such host"), AttemptFailure.NeverConnected },
        { new HttpRequestException("connect failed", new SocketException((int)SocketError.ConnectionRefused)), AttemptFailure.NeverConnected },
        { new HttpRequestException("connect failed", new SocketException((int)SocketError.HostUnreachable)), AttemptFailure.NeverConnected },
        { new HttpRequestException(HttpRequestError.ResponseEnded, "dropped"), AttemptFailure.Dropped },
        { new HttpRequestException(HttpRequestError.InvalidResponse, "garbage"), AttemptFailure.Dropped },
        { new HttpRequestException("reset", new IOException("reset", new SocketException((int)SocketError.ConnectionReset))), AttemptFailure.Dropped },
        { new TaskCanceledException("canceled", new TimeoutException()), AttemptFailure.Dropped },
    };

    [Theory]
    [MemberData(nameof(TransportFailures))]
    public async Task SendAsync_TransportFailure_OnlyAConnectionNeverMadeIsNeverConnected(Exception failure, AttemptFailure expected)
    {
        var sender = Sender(new HttpMessageInvoker(new Handler(_ => Task.FromException<HttpResponseMessage>(failure))));

        var result = await sender.SendAsync(_distributor, "pur_0123", Body);

        Assert.Null(result.Status);
        Assert.Equal(expected, result.Failure);
    }

    [Fact]
    public async Task SendAsync_NoAnswerWithinTheClustersTimeout_TimedOut()
    {
        var sender = Sender(new HttpMessageInvoker(new Handler(async (_, cancellationToken) =>
        {
            await Task.Delay(Timeout.InfiniteTimeSpan, cancellationToken);
            return new HttpResponseMessage(HttpStatusCode.Created);
        })), timeout: TimeSpan.FromSeconds(3));

        var sending = sender.SendAsync(_distributor, "pur_0123", Body);
        _time.Advance(TimeSpan.FromSeconds(3));
        var result = await sending;

        Assert.Null(result.Status);
        Assert.Equal(AttemptFailure.TimedOut, result.Failure);
    }

    [Fact]
    public async Task SendAsync_RedirectFromARealDistributor_IsNotFollowed()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var accepted = 0;
        var serving = Task.Run(async () =>
        {
            using var client = await listener.AcceptTcpClientAsync();
            Interlocked.Increment(ref accepted);
            var stream = client.GetStream();
            var buffer = new byte[4096];
            var read = 0;
            while (!Encoding.ASCII.GetString(buffer, 0, read).Contains("\r\n\r\n", StringComparison.Ordinal))
            {
                read += await stream.ReadAsync(buffer.AsMemory(read));
            }

            var answer = $"HTTP/1.1 302 Found\r\nLocation: http://127.0.0.1:{port}/elsewhere\r\nContent-Length: 0\r\n\r\n";
            await stream.WriteAsync(Encoding.ASCII.GetBytes(answer));
            await Task.Delay(500);
        });
        var invoker = new DistributorForwarderClientFactory(NullLogger<ForwarderHttpClientFactory>.Instance).CreateClient(new ForwarderHttpClientContext { NewConfig = HttpClientConfig.Empty });
        var distributor = new DistributorEntry("d1", "d1", new Uri($"http://127.0.0.1:{port}/"), "secret-key", 4);

        var result = await Sender(invoker).SendAsync(distributor, "pur_0123", Body);
        await serving;

        Assert.Equal(302, result.Status);
        Assert.Equal(1, accepted);
    }

    private sealed class Handler(Func<HttpRequestMessage, CancellationToken, Task<HttpResponseMessage>> answer) : HttpMessageHandler
    {
        public Handler(Func<HttpRequestMessage, Task<HttpResponseMessage>> answer)
            : this((request, _) => answer(request))
        {
        }

        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) => answer(request, cancellationToken);
    }

    /// <summary>Hands out at most <c>chunk</c> bytes a read, as a socket delivering an answer in pieces does.</summary>
    private sealed class TrickleStream(byte[] data, int chunk) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var n = Math.Min(Math.Min(chunk, buffer.Length), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) => ValueTask.FromResult(Read(buffer.Span));

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
