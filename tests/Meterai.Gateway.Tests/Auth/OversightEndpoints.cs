namespace Meterai.Gateway.Tests.Auth;

/// <summary>The real oversight endpoints the auth tests aim at, one of each kind.</summary>
internal static class OversightEndpoints
{
    /// <summary>GET: a regulator or operator reads (problem+json on 401/403).</summary>
    public const string ReadApi = "/api/oversight/distributors";

    /// <summary>POST: only an operator acts (problem+json on 401/403).</summary>
    public const string ActApi = "/api/oversight/audit";

    /// <summary>GET: the page a regulator reads; an operator sees its action forms on it too.</summary>
    public const string ReadPage = "/oversight";

    /// <summary>POST, a form on <see cref="ReadPage"/> with an antiforgery token: only an operator acts (HTML on 401/403).</summary>
    public const string ActPage = "/oversight/audit";

    /// <summary>POST, the other operator form on <see cref="ReadPage"/>: builds a report and shows it.</summary>
    public const string BuildReportPage = "/oversight/reports";
}
