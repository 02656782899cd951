using System.Net.Sockets;
using System.Text;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Purchases;
using Yarp.ReverseProxy.Forwarder;

namespace Meterai.Gateway.Tests.Purchases;

public sealed class AttemptClassifierTests
{
    private const string IssuedOrder =
        """{"orderId":"ord_123","status":"issued","quantity":2,"amount":20000,"serials":["MT-1","MT-2"],"idempotencyKey":"pur_abc"}""";

    private const string PendingOrder = """{"orderId":"ord_456","status":"pending","quantity":2,"amount":20000}""";

    private static PurchaseAttemptFeature Attempt(int? status, string? body = null, bool bodyFailed = false)
    {
        var attempt = new PurchaseAttemptFeature(new PurchaseTry("pur_abc", 0), Encoding.UTF8.GetBytes("""{"quantity":2,"applicantRef":"x"}"""), quantity: 2);
        attempt.Begin(1);
        attempt.Status = status;
        attempt.Body = body is null ? null : Encoding.UTF8.GetBytes(body);
        attempt.BodyFailed = bodyFailed;
        return attempt;
    }

    [Fact]
    public void Classify_201WithOrder_IssuedWithOrder()
    {
        var (outcome, order) = AttemptClassifier.Classify(Attempt(201, IssuedOrder), error: null);

        Assert.Equal(AttemptOutcome.Issued, outcome);
        Assert.NotNull(order);
        Assert.Equal("ord_123", order.OrderId);
        Assert.Equal(20000, order.Amount);
        Assert.Equal(["MT-1", "MT-2"], order.Serials!);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("not json")]
    [InlineData("{\"orderId\":")]
    [InlineData("{}")]
    [InlineData("{\"orderId\":\"\"}")]
    [InlineData("{\"orderId\":null,\"status\":\"issued\"}")]
    [InlineData("{\"orderId\":42}")]
    [InlineData("[]")]
    [InlineData("null")]
    [InlineData("\"ord_123\"")]
    public void Classify_201WithoutReadableOrder_Ambiguous(string? body)
    {
        var (outcome, order) = AttemptClassifier.Classify(Attempt(201, body), error: null);

        Assert.Equal(AttemptOutcome.Ambiguous, outcome);
        Assert.Null(order);
    }

    [Theory]
    [InlineData("""{"orderId":"ord_123","status":"issued","quantity":2,"amount":20000}""")]
    [InlineData("""{"orderId":"ord_123","status":"issued","quantity":2,"amount":20000,"serials":[]}""")]
    [InlineData("""{"orderId":"ord_123","status":"issued","quantity":2,"amount":20000,"serials":["MT-1"]}""")]
    [InlineData("""{"orderId":"ord_123","status":"issued","quantity":2,"amount":20000,"serials":["MT-1","MT-2","MT-3"]}""")]
    [InlineData("""{"orderId":"ord_123","status":"issued","quantity":2,"amount":20000,"serials":["MT-1","MT-2"],"idempotencyKey":"pur_other"}""")]
    [InlineData("""{"orderId":"ord_123","status":"pending","quantity":2,"amount":20000,"serials":["MT-1","MT-2"]}""")]
    public void Classify_201FailingOrderValidation_Ambiguous(string body)
    {
        var (outcome, order) = AttemptClassifier.Classify(Attempt(201, body), error: null);

        Assert.Equal(AttemptOutcome.Ambiguous, outcome);
        Assert.Null(order);
    }

    [Fact]
    public void Classify_202ForAnotherKey_Ambiguous()
    {
        var (outcome, order) = AttemptClassifier.Classify(
            Attempt(202, """{"orderId":"ord_456","status":"pending","quantity":1,"amount":10000,"idempotencyKey":"pur_other"}"""), error: null);

        Assert.Equal(AttemptOutcome.Ambiguous, outcome);
        Assert.Null(order);
    }

    [Fact]
    public void Classify_202WithOrder_PendingWithOrder()
    {
        var (outcome, order) = AttemptClassifier.Classify(Attempt(202, PendingOrder), error: null);

        Assert.Equal(AttemptOutcome.Pending, outcome);
        Assert.Equal("ord_456", order?.OrderId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not json")]
    public void Classify_202WithoutReadableOrder_Ambiguous(string? body)
    {
        var (outcome, order) = AttemptClassifier.Classify(Attempt(202, body), error: null);

        Assert.Equal(AttemptOutcome.Ambiguous, outcome);
        Assert.Null(order);
    }

    [Theory]
    [InlineData("""{"error":"out_of_stock"}""")]
    [InlineData(null)]
    public void Classify_409_SoldOut(string? body)
    {
        var (outcome, order) = AttemptClassifier.Classify(Attempt(409, body), error: null);

        Assert.Equal(AttemptOutcome.SoldOut, outcome);
        Assert.Null(order);
    }

    /// <summary>
    /// The distributor spec's POST /orders table, row by row: only the listed refusals prove that
    /// nothing was charged; every other answer is ambiguous, whatever its body says.
    /// </summary>
    public static TheoryData<int, string?, AttemptOutcome> SpecTable => new()
    {
        { 201, IssuedOrder, AttemptOutcome.Issued },
        { 202, PendingOrder, AttemptOutcome.Pending },
        { 409, """{"error":"out_of_stock"}""", AttemptOutcome.SoldOut },
        { 409, null, AttemptOutcome.SoldOut },
        { 409, "", AttemptOutcome.SoldOut },
        { 409, """{"error":"idempotency_conflict"}""", AttemptOutcome.Ambiguous },
        { 409, """{"status":"issued"}""", AttemptOutcome.Ambiguous },
        { 409, "out of stock", AttemptOutcome.Ambiguous },
        { 429, null, AttemptOutcome.Refused },
        { 503, """{"error":"unavailable"}""", AttemptOutcome.Refused },
        { 400, """{"error":"invalid_body"}""", AttemptOutcome.Refused },
        { 401, """{"error":"unauthorized"}""", AttemptOutcome.Refused },
        { 422, """{"error":"idempotency_key_reused"}""", AttemptOutcome.Refused },
        { 100, null, AttemptOutcome.Ambiguous },
        { 200, IssuedOrder, AttemptOutcome.Ambiguous },
        { 203, IssuedOrder, AttemptOutcome.Ambiguous },
        { 204, null, AttemptOutcome.Ambiguous },
        { 301, null, AttemptOutcome.Ambiguous },
        { 302, null, AttemptOutcome.Ambiguous },
        { 303, null, AttemptOutcome.Ambiguous },
        { 307, null, AttemptOutcome.Ambiguous },
        { 308, null, AttemptOutcome.Ambiguous },
        { 402, null, AttemptOutcome.Ambiguous },
        { 403, """{"error":"forbidden"}""", AttemptOutcome.Ambiguous },
        { 404, """{"error":"not_found"}""", AttemptOutcome.Ambiguous },
        { 405, null, AttemptOutcome.Ambiguous },
        { 408, null, AttemptOutcome.Ambiguous },
        { 410, null, AttemptOutcome.Ambiguous },
        { 418, null, AttemptOutcome.Ambiguous },
        { 499, null, AttemptOutcome.Ambiguous },
        { 500, """{"error":"internal_error"}""", AttemptOutcome.Ambiguous },
        { 501, null, AttemptOutcome.Ambiguous },
        { 502, null, AttemptOutcome.Ambiguous },
        { 504, null, AttemptOutcome.Ambiguous },
        { 505, null, AttemptOutcome.Ambiguous },
        { 599, null, AttemptOutcome.Ambiguous },
        { 201, """{"orderId":"ord_123","status":"issued","quantity":3,"amount":30000,"serials":["MT-1","MT-2","MT-3"]}""", AttemptOutcome.Ambiguous },
        { 202, """{"orderId":"ord_456","status":"pending","quantity":1,"amount":10000}""", AttemptOutcome.Ambiguous },
        { 202, """{"status":"pending","quantity":2,"amount":20000}""", AttemptOutcome.Ambiguous },
    };

    [Theory]
    [MemberData(nameof(SpecTable))]
    public void Classify_DistributorAnswer_FollowsTheSpecTable(int status, string? body, AttemptOutcome expected)
    {
        var (outcome, order) = AttemptClassifier.Classify(Attempt(status, body), error: null);

        Assert.Equal(expected, outcome);
        Assert.Equal(expected is AttemptOutcome.Issued or AttemptOutcome.Pending, order is not null);
    }

    [Fact]
    public void Classify_CalledAgainForTheSameAttempt_SameAnswerWithoutRereading()
    {
        var attempt = Attempt(201, IssuedOrder);
        var first = AttemptClassifier.Classify(attempt, error: null);

        attempt.Body = null; // read once: passive health and the orchestrator get the same answer
        var second = AttemptClassifier.Classify(attempt, error: null);

        Assert.Equal(first, second);
        Assert.Equal(AttemptOutcome.Issued, second.Outcome);
    }

    [Theory]
    [InlineData(HttpRequestError.ConnectionError)]
    [InlineData(HttpRequestError.NameResolutionError)]
    public void Classify_NoStatusNeverConnected_Refused(HttpRequestError requestError)
    {
        var error = new FakeForwarderError(ForwarderError.Request, new HttpRequestException(requestError, "connect failed"));

        var (outcome, order) = AttemptClassifier.Classify(Attempt(status: null), error);

        Assert.Equal(AttemptOutcome.Refused, outcome);
        Assert.Null(order);
    }

    [Theory]
    [InlineData(SocketError.ConnectionRefused)]
    [InlineData(SocketError.HostUnreachable)]
    [InlineData(SocketError.NetworkUnreachable)]
    public void Classify_NoStatusInnerSocketConnectFailure_Refused(SocketError socketError)
    {
        var exception = new HttpRequestException("connect failed", new SocketException((int)socketError));
        var error = new FakeForwarderError(ForwarderError.Request, exception);

        var (outcome, _) = AttemptClassifier.Classify(Attempt(status: null), error);

        Assert.Equal(AttemptOutcome.Refused, outcome);
    }

    [Fact]
    public void Classify_NoStatusRequestTimedOut_Ambiguous()
    {
        var error = new FakeForwarderError(ForwarderError.RequestTimedOut, new OperationCanceledException("timed out"));

        var (outcome, order) = AttemptClassifier.Classify(Attempt(status: null), error);

        Assert.Equal(AttemptOutcome.Ambiguous, outcome);
        Assert.Null(order);
    }

    [Fact]
    public void Classify_NoStatusTimeoutWrappingConnectionError_Ambiguous()
    {
        // Only a connect failure that is itself the error proves nothing was sent.
        var error = new FakeForwarderError(
            ForwarderError.RequestTimedOut,
            new TaskCanceledException("timed out", new TimeoutException("The operation was canceled.")));

        var (outcome, _) = AttemptClassifier.Classify(Attempt(status: null), error);

        Assert.Equal(AttemptOutcome.Ambiguous, outcome);
    }

    [Theory]
    [InlineData(HttpRequestError.ResponseEnded)]
    [InlineData(HttpRequestError.InvalidResponse)]
    [InlineData(HttpRequestError.Unknown)]
    public void Classify_NoStatusConnectionDroppedAfterSend_Ambiguous(HttpRequestError requestError)
    {
        var error = new FakeForwarderError(ForwarderError.Request, new HttpRequestException(requestError, "dropped"));

        var (outcome, _) = AttemptClassifier.Classify(Attempt(status: null), error);

        Assert.Equal(AttemptOutcome.Ambiguous, outcome);
    }

    [Fact]
    public void Classify_NoStatusConnectionReset_Ambiguous()
    {
        var exception = new HttpRequestException("reset", new IOException("reset", new SocketException((int)SocketError.ConnectionReset)));
        var error = new FakeForwarderError(ForwarderError.Request, exception);

        var (outcome, _) = AttemptClassifier.Classify(Attempt(status: null), error);

        Assert.Equal(AttemptOutcome.Ambiguous, outcome);
    }

    [Fact]
    public void Classify_NoStatusNoErrorFeature_Ambiguous()
    {
        var (outcome, order) = AttemptClassifier.Classify(Attempt(status: null), error: null);

        Assert.Equal(AttemptOutcome.Ambiguous, outcome);
        Assert.Null(order);
    }

    [Fact]
    public void Classify_NoStatusErrorWithoutException_Ambiguous()
    {
        var (outcome, _) = AttemptClassifier.Classify(Attempt(status: null), new FakeForwarderError(ForwarderError.Request, null));

        Assert.Equal(AttemptOutcome.Ambiguous, outcome);
    }

    [Theory]
    [InlineData(201)]
    [InlineData(202)]
    [InlineData(409)]
    [InlineData(503)]
    public void Classify_BodyFailed_Ambiguous(int status)
    {
        var (outcome, order) = AttemptClassifier.Classify(Attempt(status, IssuedOrder, bodyFailed: true), error: null);

        Assert.Equal(AttemptOutcome.Ambiguous, outcome);
        Assert.Null(order);
    }

    [Theory]
    [InlineData(AttemptOutcome.Issued, "issued")]
    [InlineData(AttemptOutcome.Pending, "pending")]
    [InlineData(AttemptOutcome.SoldOut, "sold_out")]
    [InlineData(AttemptOutcome.Refused, "refused")]
    [InlineData(AttemptOutcome.Ambiguous, "ambiguous")]
    public void LedgerName_EachOutcome_IsSnakeCase(AttemptOutcome outcome, string expected)
    {
        Assert.Equal(expected, AttemptClassifier.LedgerName(outcome));
    }

    [Fact]
    public void Begin_AfterAnAnswer_ClearsPreviousAttempt()
    {
        var attempt = Attempt(201, IssuedOrder, bodyFailed: true);

        attempt.Begin(2);

        Assert.Equal(2, attempt.Number);
        Assert.Null(attempt.Status);
        Assert.Null(attempt.Body);
        Assert.False(attempt.BodyFailed);
    }

    private sealed class FakeForwarderError(ForwarderError error, Exception? exception) : IForwarderErrorFeature
    {
        public ForwarderError Error { get; } = error;

        public Exception? Exception { get; } = exception;
    }
}
