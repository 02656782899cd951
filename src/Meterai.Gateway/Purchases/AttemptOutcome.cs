using System.Net.Sockets;
using System.Text.Json;
using Meterai.Gateway.Distributors;
using Yarp.ReverseProxy.Forwarder;

namespace Meterai.Gateway.Purchases;

/// <summary>What one distributor's answer means for the money (docs/api/distributor-api.md, POST /orders).</summary>
public enum AttemptOutcome
{
    /// <summary>201 with a valid issued order: paid and issued.</summary>
    Issued,

    /// <summary>202 with a valid pending order: paid, serials follow.</summary>
    Pending,

    /// <summary>409 out_of_stock (or a bare 409): refused, nothing charged.</summary>
    SoldOut,

    /// <summary>400, 401, 422, 429, 503, or a connection never made: refused, nothing charged.</summary>
    Refused,

    /// <summary>Anything else: an order may exist. Looked up at the same distributor, never sold elsewhere.</summary>
    Ambiguous,
}

/// <summary>
/// The one rule for what a distributor's answer to POST /orders says about the applicant's money.
/// Only the answers the distributor spec lists as refusals prove that nothing was charged; every
/// other answer (403, 404, 408, a redirect, a 200 or 204, a 1xx, 500, 501, a timeout, a dropped
/// connection, an answer over 64 KiB, a 201/202 that is not a valid order for the request) is
/// ambiguous. Passive health reads the same rule (Health/FailureRatePolicy).
/// </summary>
internal static class AttemptClassifier
{
    private const string OutOfStock = "out_of_stock";

    /// <summary>Classifies the current attempt once; later calls (the orchestrator after passive health) get the same answer.</summary>
    public static (AttemptOutcome Outcome, DistributorOrder? Order) Classify(PurchaseAttemptFeature attempt, IForwarderErrorFeature? error)
    {
        if (attempt.Classified is { } known)
        {
            return known;
        }

        var classified = attempt.Status is { } status
            ? Classify(status, attempt.BodyFailed ? null : attempt.Body, attempt.BodyFailed, attempt.PurchaseId, attempt.Quantity)

            // No answer at all. Only a connection that was never made proves the order never left.
            : (error?.Exception is { } exception && NeverConnected(exception) ? AttemptOutcome.Refused : AttemptOutcome.Ambiguous, null);
        attempt.Classified = classified;
        return classified;
    }

    /// <summary>The rule on an answer that arrived: its status, and its body when the status alone does not settle it.</summary>
    /// <param name="bodyFailed">The body broke off or was over 64 KiB: whatever the status, it is unreadable, so ambiguous.</param>
    internal static (AttemptOutcome Outcome, DistributorOrder? Order) Classify(int status, byte[]? body, bool bodyFailed, string purchaseId, int quantity)
    {
        if (bodyFailed)
        {
            return (AttemptOutcome.Ambiguous, null);
        }

        return OfStatus(status) switch
        {
            AttemptOutcome.Issued => ReadOrder(body, DistributorOrderStatus.Issued, AttemptOutcome.Issued, purchaseId, quantity),
            AttemptOutcome.Pending => ReadOrder(body, DistributorOrderStatus.Pending, AttemptOutcome.Pending, purchaseId, quantity),
            AttemptOutcome.SoldOut => (IsOutOfStock(body) ? AttemptOutcome.SoldOut : AttemptOutcome.Ambiguous, null),
            var outcome => (outcome, null),
        };
    }

    /// <summary>
    /// The status table alone (distributor spec, POST /orders). 201, 202 and 409 are what they say
    /// only if their body agrees (<see cref="Classify(int, byte[], bool, string, int)"/>).
    /// </summary>
    internal static AttemptOutcome OfStatus(int status) => status switch
    {
        StatusCodes.Status201Created => AttemptOutcome.Issued,
        StatusCodes.Status202Accepted => AttemptOutcome.Pending,
        StatusCodes.Status409Conflict => AttemptOutcome.SoldOut,
        StatusCodes.Status400BadRequest or StatusCodes.Status401Unauthorized or StatusCodes.Status422UnprocessableEntity
            or StatusCodes.Status429TooManyRequests or StatusCodes.Status503ServiceUnavailable => AttemptOutcome.Refused,
        _ => AttemptOutcome.Ambiguous,
    };

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
    /// says, another quantity, too few serials, another key) still means the distributor took it: look it up.
    /// </summary>
    private static (AttemptOutcome, DistributorOrder?) ReadOrder(byte[]? body, string expectedStatus, AttemptOutcome outcome, string purchaseId, int quantity)
    {
        try
        {
            var order = body is { Length: > 0 } ? JsonSerializer.Deserialize(body, GatewayJsonContext.Default.DistributorOrder) : null;
            if (order is null || !string.Equals(order.Status ?? expectedStatus, expectedStatus, StringComparison.Ordinal))
            {
                return (AttemptOutcome.Ambiguous, null);
            }

            order = order with { Status = expectedStatus };
            return OrderValidation.Problem(order, purchaseId, quantity, knownOrderId: null) is null ? (outcome, order) : (AttemptOutcome.Ambiguous, null);
        }
        catch (JsonException)
        {
            return (AttemptOutcome.Ambiguous, null);
        }
    }

    /// <summary>
    /// A 409 proves nothing was charged only as the spec's <c>{"error":"out_of_stock"}</c>, or bare.
    /// A 409 naming another error (an idempotency conflict, say) may be about an order that exists.
    /// </summary>
    private static bool IsOutOfStock(byte[]? body)
    {
        if (body is null || body.AsSpan().Trim(" \t\r\n"u8).IsEmpty)
        {
            return true;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            return document.RootElement.ValueKind == JsonValueKind.Object
                && document.RootElement.TryGetProperty("error", out var error)
                && error.ValueKind == JsonValueKind.String
                && error.ValueEquals(OutOfStock);
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private static bool NeverConnected(Exception exception) =>
        exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }
        || exception.InnerException is SocketException { SocketErrorCode: SocketError.ConnectionRefused or SocketError.HostUnreachable or SocketError.NetworkUnreachable };
}
