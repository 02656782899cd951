using Meterai.Gateway.Kernel;

namespace Meterai.Gateway.Distributors;

/// <summary>What one distributor's answer means for the money (docs/api/distributor-api.md, POST /orders).</summary>
public enum AttemptOutcome
{
    /// <summary>201 with a valid issued order: paid and issued.</summary>
    Issued,

    /// <summary>202 with a valid pending order: paid, serials follow.</summary>
    Pending,

    /// <summary>409 <c>{"error":"out_of_stock"}</c>: refused, nothing charged. A bare 409, or one naming another error, is ambiguous.</summary>
    SoldOut,

    /// <summary>Refused without charging: 400, 401, 422, 429, 503, or the connection was never made.</summary>
    Refused,

    /// <summary>An order may exist: any other status, a timeout, a dropped connection, or an answer that is not an order.</summary>
    Ambiguous,
}

/// <summary>
/// The one rule for what a distributor's answer to POST /orders says about the applicant's money,
/// as one pure function. Only the answers the distributor spec lists as refusals prove that nothing
/// was charged (fail over); every other answer (403, 404, 408, a redirect, a 200 or 204, a 1xx, 500,
/// 501, a timeout, a dropped connection, an answer over 64 KiB, a 201/202 that is not a valid order
/// for the request) leaves the order's fate open: look it up at the same distributor, never try
/// another. Passive health reads the same rule (Health/FailureRatePolicy).
/// </summary>
internal static class AttemptClassifier
{
    /// <summary>The 409 body that proves the order was refused for stock.</summary>
    public const string OutOfStock = "out_of_stock";

    /// <param name="purchaseId">The Idempotency-Key the distributor got: a sold order must be for it.</param>
    /// <param name="quantity">The purchase's quantity: an issued order carries that many serials.</param>
    public static (AttemptOutcome Outcome, DistributorOrder? Order) Classify(in AttemptResult result, string purchaseId, int quantity)
    {
        if (result.Status is not { } status)
        {
            // No answer at all. Only a connection that was never made proves the order never left.
            return (result.Failure == AttemptFailure.NeverConnected ? AttemptOutcome.Refused : AttemptOutcome.Ambiguous, null);
        }

        if (result.Failure != AttemptFailure.None)
        {
            return (AttemptOutcome.Ambiguous, null);
        }

        return status switch
        {
            StatusCodes.Status201Created => ReadOrder(result.Order, purchaseId, quantity, DistributorOrderStatus.Issued, AttemptOutcome.Issued),
            StatusCodes.Status202Accepted => ReadOrder(result.Order, purchaseId, quantity, DistributorOrderStatus.Pending, AttemptOutcome.Pending),

            // A 409 about anything but stock is not in the table of answers that prove nothing was charged.
            StatusCodes.Status409Conflict => (result.Error == OutOfStock ? AttemptOutcome.SoldOut : AttemptOutcome.Ambiguous, null),
            StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable
                or StatusCodes.Status400BadRequest or StatusCodes.Status401Unauthorized or StatusCodes.Status422UnprocessableEntity => (AttemptOutcome.Refused, null),

            // 403, 404, 408, a redirect, 200, 204, another 5xx...: the spec's table is the whole list of refusals.
            _ => (AttemptOutcome.Ambiguous, null),
        };
    }

    /// <summary>
    /// A distributor turning orders away without charging (400, 401, 422, 503): what "refusing orders" means for
    /// selling now. A 429 is overload, the concurrency limit's business; a connection never made is a probe's.
    /// </summary>
    public static bool TurnsOrdersAway(int? status, AttemptOutcome outcome) =>
        outcome == AttemptOutcome.Refused && status is { } answered && answered != StatusCodes.Status429TooManyRequests;

    /// <summary>The ledger outcome of an attempt recorded but never sent: its turn at the distributor did not come in time.</summary>
    public const string Withdrawn = "withdrawn";

    public static string LedgerName(AttemptOutcome outcome) => outcome switch
    {
        AttemptOutcome.Issued => "issued",
        AttemptOutcome.Pending => "pending",
        AttemptOutcome.SoldOut => "sold_out",
        AttemptOutcome.Refused => "refused",
        _ => "ambiguous",
    };

    /// <summary>
    /// A 201/202 that is not a valid order for this purchase (unreadable, another status than its code
    /// says, another quantity, too few serials, another key) still means the distributor took it: look it up.
    /// </summary>
    private static (AttemptOutcome, DistributorOrder?) ReadOrder(DistributorOrder? order, string purchaseId, int quantity, string expectedStatus, AttemptOutcome outcome)
    {
        if (order is null || !string.Equals(order.Status ?? expectedStatus, expectedStatus, StringComparison.Ordinal))
        {
            return (AttemptOutcome.Ambiguous, null);
        }

        order = order with { Status = expectedStatus };
        return OrderValidation.Problem(order, purchaseId, quantity, knownOrderId: null) is null ? (outcome, order) : (AttemptOutcome.Ambiguous, null);
    }
}
