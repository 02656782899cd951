using System.ComponentModel.DataAnnotations;

namespace Meterai.Gateway.Auth;

/// <summary>Who may use the oversight endpoints. Bound from <c>Auth</c>.</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>A configured key that starts with this is the hex SHA-256 of the key, not the key.</summary>
    public const string Sha256Prefix = "sha256:";

    /// <summary>
    /// Keys that read oversight data: each the key itself or <c>sha256:&lt;64 hex digits&gt;</c> of it.
    /// Default: none, so oversight endpoints refuse everyone.
    /// </summary>
    public string[] RegulatorKeys { get; set; } = [];

    /// <summary>
    /// Keys that read and act (run audits, build reports), in the same forms as <see cref="RegulatorKeys"/>.
    /// Default: none.
    /// </summary>
    public string[] OperatorKeys { get; set; } = [];

    /// <summary>
    /// Idle minutes after which a browser session ends; each request within it extends it.
    /// Default: 30 minutes.
    /// </summary>
    [Range(1d, 10_080d)]
    public double SessionMinutes { get; set; } = 30;

    /// <summary>
    /// Directory of the data-protection key ring that encrypts the sign-in cookie and antiforgery tokens.
    /// Default: unset, the ledger's <c>data_protection_keys</c> table, shared by every gateway on the ledger.
    /// </summary>
    public string? DataProtectionKeysPath { get; set; }

    public TimeSpan Session => TimeSpan.FromMinutes(SessionMinutes);
}
