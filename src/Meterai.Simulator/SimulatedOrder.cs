namespace Meterai.Simulator;

/// <summary>A snapshot of one charged order; <see cref="Status"/> and <see cref="Serials"/> are as of the moment it was taken.</summary>
public sealed record SimulatedOrder(
    string OrderId,
    string IdempotencyKey,
    int Quantity,
    int Amount,
    string ApplicantRef,
    OrderStatus Status,
    IReadOnlyList<string> Serials,
    DateTimeOffset CreatedAt);
