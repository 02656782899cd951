using System.Text.Json;
using System.Text.Json.Serialization;

namespace Meterai.Simulator;

/// <summary>How a distributor is down, if it is.</summary>
public enum DownMode
{
    /// <summary>Up.</summary>
    None,

    /// <summary>The listener is stopped: TCP connections are refused.</summary>
    RefuseConnections,

    /// <summary>The listener runs but answers 503 to everything, /health included.</summary>
    ServiceUnavailable,
}

/// <summary>"Registered but idle": healthy, yet sells nothing.</summary>
public enum IdleMode
{
    /// <summary>Sells normally.</summary>
    None,

    /// <summary>/stock says 0 and every order answers 409 out_of_stock.</summary>
    NoStock,

    /// <summary>/stock shows stock but every order answers 503 with Retry-After; nothing is charged.</summary>
    RefuseOrders,
}

/// <summary>What happens to orders past Capacity × CollapseFactor.</summary>
public enum OverloadFailure
{
    /// <summary>Immediate 503 with Retry-After: 1; nothing charged.</summary>
    Reject503,

    /// <summary>The order is created and charged, then the answer waits HangTime (the caller times out).</summary>
    Hang,
}

/// <summary>How a charge-then-fail order is answered.</summary>
public enum FailureAnswer
{
    /// <summary>500 Internal Server Error.</summary>
    Status500,

    /// <summary>504 Gateway Timeout.</summary>
    Status504,

    /// <summary>The connection is aborted without an answer.</summary>
    DropConnection,
}

/// <summary>Order status as the distributor API reports it (serialized lower-case).</summary>
[JsonConverter(typeof(OrderStatusJsonConverter))]
public enum OrderStatus
{
    /// <summary>Paid; serials not yet delivered.</summary>
    Pending,

    /// <summary>Paid and delivered.</summary>
    Issued,

    /// <summary>Paid, issuance failed: a refund is owed.</summary>
    Failed,

    /// <summary>Paid and refunded.</summary>
    Refunded,
}

/// <summary>The wire format of docs/api/distributor-api.md is lower-case ("pending"), whoever serializes the enum.</summary>
internal sealed class OrderStatusJsonConverter : JsonStringEnumConverter<OrderStatus>
{
    public OrderStatusJsonConverter()
        : base(JsonNamingPolicy.CamelCase, allowIntegerValues: false)
    {
    }
}
