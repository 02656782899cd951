namespace Meterai.Gateway.Kernel;

/// <summary>The authentication schemes of the oversight endpoints (regulators and operators).</summary>
internal static class OversightAuthSchemes
{
    /// <summary>A key in the <c>X-Api-Key</c> header: scripts, dashboards, curl.</summary>
    public const string ApiKey = "OversightApiKey";

    /// <summary>The session cookie the sign-in form sets: people in a browser.</summary>
    public const string Cookie = "OversightCookie";

    /// <summary>Picks <see cref="ApiKey"/> when the request carries <c>X-Api-Key</c>, otherwise <see cref="Cookie"/>. Every oversight policy authenticates with this.</summary>
    public const string ApiKeyOrCookie = "OversightApiKeyOrCookie";

    public const string ApiKeyHeader = "X-Api-Key";

    /// <summary>Where a cookie-authenticated API request that acts carries its antiforgery token.</summary>
    public const string AntiforgeryHeader = "RequestVerificationToken";
}

/// <summary>Roles in the claims of an oversight principal. A principal has exactly one.</summary>
internal static class OversightRoles
{
    /// <summary>Reads oversight data (docs/api/gateway-api.md: "regulator keys read").</summary>
    public const string Regulator = "regulator";

    /// <summary>Reads and acts: runs audits, builds reports (docs/api/gateway-api.md: "operator keys read and act").</summary>
    public const string Operator = "operator";

    /// <summary>The role as a page names it ("Regulator", "Operator"; the same words in Indonesian); never the key's configuration name.</summary>
    public static string DisplayName(string? role) => role switch
    {
        Regulator => "Regulator",
        Operator => "Operator",
        _ => "",
    };
}

/// <summary>Authorization policies for oversight endpoints: <c>.RequireAuthorization(OversightPolicies.Read)</c>.</summary>
internal static class OversightPolicies
{
    /// <summary>A regulator or operator key (header or signed-in cookie). Anonymous: 401.</summary>
    public const string Read = "oversight:read";

    /// <summary>An operator key. Anonymous: 401; a regulator: 403.</summary>
    public const string Act = "oversight:act";
}

/// <summary>The paths of the browser sign-in flow.</summary>
internal static class OversightPaths
{
    /// <summary>Where a signed-in person lands by default, and the prefix a <c>returnUrl</c> must have.</summary>
    public const string Home = "/oversight";

    public const string SignIn = "/oversight/sign-in";

    public const string SignOut = "/oversight/sign-out";

    /// <summary>The example authenticated page: who you are signed in as and what you may do.</summary>
    public const string Session = "/oversight/session";
}
