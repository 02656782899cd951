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

    private const string PendingOrder = """{"orderId":"ord_456","status":"pending","quantity":1,"amount":10000}""";

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

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(422)]
    [InlineData(429)]
    [InlineData(503)]
    public void Classify_RefusalStatus_Refused(int status)
    {
        var (outcome, order) = AttemptClassifier.Classify(Attempt(status, """{"error":"nope"}"""), error: null);

        Assert.Equal(AttemptOutcome.Refused, outcome);
        Assert.Null(order);
    }

    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(504)]
    [InlineData(501)]
    [InlineData(200)]
    [InlineData(204)]
    [InlineData(302)]
    public void Classify_ServerErrorOrUnexpectedStatus_Ambiguous(int status)
    {
        var (outcome, order) = AttemptClassifier.Classify(Attempt(status, IssuedOrder), error: null);

        Assert.Equal(AttemptOutcome.Ambiguous, outcome);
        Assert.Null(order);
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
