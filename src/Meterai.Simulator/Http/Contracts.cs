using System.Text.Json;
using System.Text.Json.Serialization;

namespace Meterai.Simulator;

internal sealed record OrderRequest(int? Quantity, string? ApplicantRef);

internal sealed record IssuedOrderResponse(string OrderId, OrderStatus Status, int Quantity, int Amount, IReadOnlyList<string> Serials);

internal sealed record PendingOrderResponse(string OrderId, OrderStatus Status, int Quantity, int Amount);

internal sealed record OrderResponse(string OrderId, OrderStatus Status, int Quantity, int Amount, IReadOnlyList<string> Serials, string IdempotencyKey);

internal sealed record RefundResponse(string OrderId, OrderStatus Status);

internal sealed record StockResponse(int Available, int UnitPrice);

internal sealed record HealthResponse(string Status);

internal sealed record ErrorResponse(string Error, string? Detail = null);

internal sealed record RegistryEntry(string Id, string Name, string BaseUrl, string? ApiKey, int MaxConcurrency);

internal sealed record Registry(IReadOnlyList<RegistryEntry> Distributors);

/// <summary>The out-of-process view of a distributor; deliberately without the API key.</summary>
internal sealed record SimulatorState(
    string Id,
    string Name,
    string BaseUrl,
    bool RequiresApiKey,
    bool Listening,
    int Stock,
    int UnitPrice,
    int Capacity,
    TimeSpan ServiceTime,
    double CollapseFactor,
    TimeSpan HangTime,
    int OrdersCreated,
    int CurrentConcurrency,
    int MaxObservedConcurrency,
    int UnauthorizedRequests,
    int RefundsMade,
    int OverloadRejections,
    int OrdersPastCapacity,
    DistributorBehavior Behavior);

/// <summary>PUT /_sim/behavior: any subset of the switches; absent ones are left alone.</summary>
internal sealed record BehaviorPatch(
    DownMode? Down,
    TimeSpan? Latency,
    TimeSpan? FlapPeriod,
    IdleMode? Idle,
    double? ChargeThenFailRate,
    FailureAnswer? ChargeThenFailAnswer,
    OrderStatus? ChargeThenFailOrderStatus,
    double? StuckPendingRate,
    TimeSpan? StuckPendingFor,
    OrderStatus? StuckPendingOutcome,
    OverloadFailure? OverloadFailure,
    int? Stock,
    int? Capacity = null)
{
    public void ApplyTo(SimulatedDistributor distributor)
    {
        var b = distributor.Behavior;

        // Validate everything before changing anything, so a bad patch leaves the distributor as it was.
        var probe = new DistributorBehavior();
        Apply(probe);
        if (Stock is { } newStock)
        {
            ArgumentOutOfRangeException.ThrowIfNegative(newStock);
        }

        Apply(b);
        if (Stock is { } stock)
        {
            distributor.SetStock(stock);
        }
    }

    private void Apply(DistributorBehavior b)
    {
        if (Latency is { } latency)
        {
            b.Latency = latency;
        }

        if (Idle is { } idle)
        {
            b.Idle = idle;
        }

        if (ChargeThenFailRate is { } ctfRate)
        {
            b.ChargeThenFailRate = ctfRate;
        }

        if (ChargeThenFailAnswer is { } ctfAnswer)
        {
            b.ChargeThenFailAnswer = ctfAnswer;
        }

        if (ChargeThenFailOrderStatus is { } ctfStatus)
        {
            b.ChargeThenFailOrderStatus = ctfStatus;
        }

        if (StuckPendingRate is { } spRate)
        {
            b.StuckPendingRate = spRate;
        }

        if (StuckPendingFor is { } spFor)
        {
            b.StuckPendingFor = spFor;
        }

        if (StuckPendingOutcome is { } spOutcome)
        {
            b.StuckPendingOutcome = spOutcome;
        }

        if (OverloadFailure is { } overload)
        {
            b.OverloadFailure = overload;
        }

        if (Capacity is { } capacity)
        {
            b.Capacity = capacity;
        }

        if (FlapPeriod is { } flap)
        {
            b.FlapPeriod = flap;
        }

        // Last: it may stop the listener that serves this very request.
        if (Down is { } down)
        {
            b.Down = down;
        }
    }
}

internal static class SimJson
{
    /// <summary>Web defaults (camelCase), enums as strings, OrderStatus lower-case as docs/api/distributor-api.md writes it.</summary>
    public static readonly JsonSerializerOptions Options = Create(indented: false);

    public static readonly JsonSerializerOptions Indented = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented) => new(JsonSerializerDefaults.Web)
    {
        Converters = { new OrderStatusJsonConverter(), new JsonStringEnumConverter() },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        ReadCommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        WriteIndented = indented,
    };
}
