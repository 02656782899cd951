namespace Meterai.Gateway.Oversight;

/// <summary>Why a distributor is flagged inactive (docs/api/gateway-api.md: /api/oversight/flags).</summary>
internal static class FlagReasons
{
    public const string Unreachable = "unreachable";
    public const string NoStock = "no_stock";
    public const string NoSales = "no_sales";
    public const string Undelivered = "undelivered";
    public const string Overcharged = "overcharged";
}

/// <summary>A distributor's state in oversight: inactive while any flag is open.</summary>
internal static class DistributorStates
{
    public const string Active = "active";
    public const string Inactive = "inactive";
}
