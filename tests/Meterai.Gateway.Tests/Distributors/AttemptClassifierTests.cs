using System.Text;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Purchases;

namespace Meterai.Gateway.Tests.Distributors;

public sealed class AttemptClassifierTests
{
    private const string IssuedOrder =
        """{"orderId":"ord_123","status":"issued","quantity":2,"amount":20000,"serials":["MT-1","MT-2"],"idempotencyKey":"pur_abc"}""";

    private const string PendingOrder = """{"orderId":"ord_456","status":"pending","quantity":2,"amount":20000}""";

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

    /// <summary>
    /// The distributor spec's POST /orders table, row by row: only the listed refusals prove that
    /// nothing was charged; every other answer is ambiguous, whatever its body says. A 409 is a
    /// refusal only as {"error":"out_of_stock"}: bare, or with a body that is not JSON, it proves nothing.
    /// </summary>
    public static TheoryData<int, string?, AttemptOutcome> SpecTable => new()
    {
        { 201, IssuedOrder, AttemptOutcome.Issued },
        { 202, PendingOrder, AttemptOutcome.Pending },
        { 409, """{"error":"out_of_stock"}""", AttemptOutcome.SoldOut },
        { 409, null, AttemptOutcome.Ambiguous },
        { 409, "", AttemptOutcome.Ambiguous },
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
        var (outcome, order) = Classify(Attempt(status, body));

        Assert.Equal(expected, outcome);
        Assert.Equal(expected is AttemptOutcome.Issued or AttemptOutcome.Pending, order is not null);
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

    [Theory]
    [InlineData(400, AttemptOutcome.Refused, true)]
    [InlineData(401, AttemptOutcome.Refused, true)]
    [InlineData(422, AttemptOutcome.Refused, true)]
    [InlineData(503, AttemptOutcome.Refused, true)]
    [InlineData(429, AttemptOutcome.Refused, false)]
    [InlineData(null, AttemptOutcome.Refused, false)]
    [InlineData(409, AttemptOutcome.SoldOut, false)]
    [InlineData(403, AttemptOutcome.Ambiguous, false)]
    [InlineData(500, AttemptOutcome.Ambiguous, false)]
    [InlineData(201, AttemptOutcome.Issued, false)]
    public void TurnsOrdersAway_Answer_OnlyARefusalWithoutChargeThatIsNotOverload(int? status, AttemptOutcome outcome, bool refusing)
    {
        Assert.Equal(refusing, AttemptClassifier.TurnsOrdersAway(status, outcome));
    }
}
