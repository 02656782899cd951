using System.Text;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Purchases;

namespace Meterai.Gateway.Tests.Purchases;

public sealed class AttemptClassifierTests
{
    private const string IssuedOrder =
        """{"orderId":"ord_123","status":"issued","quantity":2,"amount":20000,"serials":["MT-1","MT-2"],"idempotencyKey":"pur_abc"}""";

    private const string PendingOrder = """{"orderId":"ord_456","status":"pending","quantity":1,"amount":10000}""";

    /// <summary>An answer as the sender reads it off the wire; the classifier sees nothing else.</summary>
    private static AttemptResult Attempt(int? status, string? body = null, bool bodyFailed = false, AttemptFailure failure = AttemptFailure.Dropped) => status switch
    {
        null => AttemptResult.Failed(failure, 1, 2, 0, 3),
        { } answered when bodyFailed => AttemptResult.Failed(AttemptFailure.AnswerUnreadable, 1, 2, 3, 4, answered),
        { } answered => AttemptResult.Answered(answered, body is null ? [] : Encoding.UTF8.GetBytes(body), 1, 2, 3, 4),
    };

    private static (AttemptOutcome Outcome, DistributorOrder? Order) Classify(AttemptResult result) =>
        AttemptClassifier.Classify(result, "pur_abc", quantity: 2);

    [Fact]
    public void Classify_201WithOrder_IssuedWithOrder()
    {
        var (outcome, order) = Classify(Attempt(201, IssuedOrder));

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
        var (outcome, order) = Classify(Attempt(201, body));

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
        var (outcome, order) = Classify(Attempt(201, body));

        Assert.Equal(AttemptOutcome.Ambiguous, outcome);
        Assert.Null(order);
    }

    [Fact]
    public void Classify_202ForAnotherKey_Ambiguous()
    {
        var (outcome, order) = Classify(
            Attempt(202, """{"orderId":"ord_456","status":"pending","quantity":1,"amount":10000,"idempotencyKey":"pur_other"}"""));

        Assert.Equal(AttemptOutcome.Ambiguous, outcome);
        Assert.Null(order);
    }

    [Fact]
    public void Classify_202WithOrder_PendingWithOrder()
    {
        var (outcome, order) = Classify(Attempt(202, PendingOrder));

        Assert.Equal(AttemptOutcome.Pending, outcome);
        Assert.Equal("ord_456", order?.OrderId);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("not json")]
    public void Classify_202WithoutReadableOrder_Ambiguous(string? body)
    {
        var (outcome, order) = Classify(Attempt(202, body));

        Assert.Equal(AttemptOutcome.Ambiguous, outcome);
        Assert.Null(order);
    }

    [Fact]
    public void Classify_409OutOfStock_SoldOut()
    {
        var (outcome, order) = Classify(Attempt(409, """{"error":"out_of_stock"}"""));

        Assert.Equal(AttemptOutcome.SoldOut, outcome);
        Assert.Null(order);
    }

    /// <summary>The spec's new table: only out_of_stock makes a 409 a refusal; any other 409 may hide an order.</summary>
    [Theory]
    [InlineData("""{"error":"duplicate"}""")]
    [InlineData("""{"error":"idempotency_conflict","detail":"out_of_stock"}""")]
    [InlineData("""{"detail":"out_of_stock"}""")]
    [InlineData("""{"error":42}""")]
    [InlineData("out_of_stock")]
    [InlineData("")]
    [InlineData(null)]
    public void Classify_409NotNamingOutOfStock_Ambiguous(string? body)
    {
        var (outcome, order) = Classify(Attempt(409, body));

        Assert.Equal(AttemptOutcome.Ambiguous, outcome);
        Assert.Null(order);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(422)]
    [InlineData(429)]
    [InlineData(503)]
    public void Classify_RefusalStatus_Refused(int status)
    {
        var (outcome, order) = Classify(Attempt(status, """{"error":"nope"}"""));

        Assert.Equal(AttemptOutcome.Refused, outcome);
        Assert.Null(order);
    }

    /// <summary>Everything the spec's table does not list as a refusal is ambiguous: never failed over.</summary>
    [Theory]
    [InlineData(500)]
    [InlineData(502)]
    [InlineData(504)]
    [InlineData(501)]
    [InlineData(200)]
    [InlineData(204)]
    [InlineData(299)]
    [InlineData(301)]
    [InlineData(302)]
    [InlineData(307)]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(408)]
    [InlineData(410)]
    [InlineData(418)]
    public void Classify_ServerErrorOrUnexpectedStatus_Ambiguous(int status)
    {
        var (outcome, order) = Classify(Attempt(status, IssuedOrder));

        Assert.Equal(AttemptOutcome.Ambiguous, outcome);
        Assert.Null(order);
    }

    [Theory]
    [InlineData(AttemptFailure.NeverConnected, AttemptOutcome.Refused)]
    [InlineData(AttemptFailure.TimedOut, AttemptOutcome.Ambiguous)]
    [InlineData(AttemptFailure.Dropped, AttemptOutcome.Ambiguous)]
    [InlineData(AttemptFailure.AnswerUnreadable, AttemptOutcome.Ambiguous)]
    [InlineData(AttemptFailure.None, AttemptOutcome.Ambiguous)]
    public void Classify_NoStatus_OnlyANeverMadeConnectionIsRefused(AttemptFailure failure, AttemptOutcome expected)
    {
        var (outcome, order) = Classify(Attempt(status: null, failure: failure));

        Assert.Equal(expected, outcome);
        Assert.Null(order);
    }

    [Theory]
    [InlineData(201)]
    [InlineData(202)]
    [InlineData(409)]
    [InlineData(503)]
    [InlineData(400)]
    public void Classify_BodyFailed_Ambiguous(int status)
    {
        var (outcome, order) = Classify(Attempt(status, IssuedOrder, bodyFailed: true));

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
}
