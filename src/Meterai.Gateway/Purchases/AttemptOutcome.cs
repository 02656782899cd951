using System.Net.Sockets;
using System.Text.Json;
using Meterai.Gateway.Distributors;
using Yarp.ReverseProxy.Forwarder;

namespace Meterai.Gateway.Purchases;

/// <summary>What one distributor's answer means for the money (docs/api/distributor-api.md, POST /orders).</summary>
public enum AttemptOutcome
{
    /// <summary>201: paid and issued.</summary>
    Issued,

    /// <summary>202: paid, serials follow.</summary>
    Pending,

    /// <summary>409 out_of_stock: refused, nothing charged.</summary>
    SoldOut,

    /// <summary>Refused without charging: 4xx, 429, 503, or the connection was never made.</summary>
    Refused,

    /// <summary>An order may exist: 5xx, a timeout, a dropped connection, or an answer that is not an order.</summary>
    Ambiguous,
}

internal static class AttemptClassifier
{
    public static (AttemptOutcome Outcome, DistributorOrder? Order) Classify(PurchaseAttemptFeature attempt, IForwarderErrorFeature? error)
    {
        if (attempt.Status is not { } status)
        {
            // No answer at all. Only a connection that was never made proves the order never left.
            return (error?.Exception is { } exception && NeverConnected(exception) ? AttemptOutcome.Refused : AttemptOutcome.Ambiguous, null);
        }

        if (attempt.BodyFailed)
        {
            return (AttemptOutcome.Ambiguous, null);
        }

        return status switch
        {
            StatusCodes.Status201Created => ReadOrder(attempt, DistributorOrderStatus.Issued, AttemptOutcome.Issued),
            StatusCodes.Status202Accepted => ReadOrder(attempt, DistributorOrderStatus.Pending, AttemptOutcome.Pending),
            StatusCodes.Status409Conflict => (AttemptOutcome.SoldOut, null),
            StatusCodes.Status503ServiceUnavailable => (AttemptOutcome.Refused, null),
            >= 400 and < 500 => (AttemptOutcome.Refused, null),
            _ => (AttemptOutcome.Ambiguous, null),
        };
    }

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
    /// A 2xx that is not a valid order for this purchase (unreadable, another status than its code
    /// says, too few serials, another key) still means the distributor took it: look it up.
    /// </summary>
    private static (AttemptOutcome, DistributorOrder?) ReadOrder(PurchaseAttemptFeature attempt, string expectedStatus, AttemptOutcome outcome)
    {
        try
        {
            var body = attempt.Body;
            var order = body is { Length: > 0 } ? JsonSerializer.Deserialize(body, GatewayJsonContext.Default.DistributorOrder) : null;
            if (order is null || !string.Equals(order.Status ?? expectedStatus, expectedStatus, StringComparison.Ordinal))
            {
                return (AttemptOutcome.Ambiguous, null);
            }

            order = order with { Status = expectedStatus };
            return OrderValidation.Problem(order, attempt.PurchaseId, attempt.Quantity, knownOrderId: null) is null ? (outcome, order) : (AttemptOutcome.Ambiguous, null);
        }
        catch (JsonException)
        {
            return (AttemptOutcome.Ambiguous, null);
        }
    }

    private static bool NeverConnected(Exception exception) =>
        exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }
        || exception.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable };
}
