namespace Meterai.Gateway.Admission;

/// <summary>A key's place as it stands: its ticket (order of first arrival) and its position (1 = next).</summary>
internal sealed record LinePlace(string Key, long Ticket, int Position);

/// <summary>A place as the gateways share it through the ledger (docs/order-of-service.md).</summary>
/// <param name="Ticket">First arrival, UTC ticks; the earliest any gateway saw wins.</param>
/// <param name="Served">The key's turn came at some gateway: it leaves every line.</param>
internal sealed record PlaceNote(string Key, long Ticket, DateTimeOffset DueAt, DateTimeOffset KeepUntil, bool Served);
