namespace Meterai.Gateway.Distributors;

/// <summary>What an order may cost (distributor spec: <c>amount</c> is <c>quantity</c> × 10,000).</summary>
internal static class OrderAmounts
{
    /// <summary>One e-Meterai, in whole rupiah.</summary>
    public const long PerEMeterai = 10_000;

    public static long Due(int quantity) => quantity * PerEMeterai;

    /// <summary>Charged more than is due: recorded, reported and flagged; the order still counts.</summary>
    public static bool IsOvercharge(long? amount, int quantity) => amount > Due(quantity);

    /// <summary>
    /// Charged less than is due: the applicant is not harmed, so the order is taken as it is and
    /// only logged where it is first read; the ledger keeps the amount the distributor gave.
    /// </summary>
    public static bool IsUndercharge(long? amount, int quantity) => amount < Due(quantity);
}
