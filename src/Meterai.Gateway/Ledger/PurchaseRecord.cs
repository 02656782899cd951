namespace Meterai.Gateway.Ledger;

/// <summary>One row of <c>purchases</c>, as Dapper reads it.</summary>
/// <remarks>Settable properties rather than a positional record: SQLite returns every integer as Int64.</remarks>
internal sealed class PurchaseRecord
{
    public string PurchaseId { get; set; } = "";
    public string IdempotencyKey { get; set; } = "";
    public string RequestHash { get; set; } = "";
    public int Quantity { get; set; }
    public string Status { get; set; } = "";
    public string? DistributorId { get; set; }
    public string? OrderId { get; set; }
    public long? Amount { get; set; }
    public string? Serials { get; set; }
    public bool Ambiguous { get; set; }
    public int Attempts { get; set; }
    public int? ResponseStatus { get; set; }
    public string? ResponseBody { get; set; }
    public long CreatedAt { get; set; }
    public long UpdatedAt { get; set; }

    /// <summary>When the current try was claimed: a retry of a freed key starts a new one.</summary>
    public long TryStartedAt { get; set; }
}
