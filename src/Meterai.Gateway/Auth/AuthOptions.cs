using System.ComponentModel.DataAnnotations;

namespace Meterai.Gateway.Auth;

/// <summary>Who may use the oversight endpoints. Bound from <c>Auth</c>.</summary>
internal sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>A configured key that starts with this is the hex SHA-256 of the key, not the key.</summary>
    public const string Sha256Prefix = "sha256:";

    /// <summary>The shortest key accepted in configuration (gateway spec: "shorter than 16 characters stops start-up").</summary>
    public const int MinimumKeyLength = 16;

    /// <summary>
    /// Keys that read oversight data: each the key itself (at least 16 characters) or
    /// <c>sha256:&lt;64 hex digits&gt;</c> of it. Default: none, so oversight endpoints refuse everyone.
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
    /// Wrong keys (X-Api-Key or sign-in) one client address may send within <see cref="FailureWindowSeconds"/>
    /// before every further attempt gets 429 until the window passes. Default: 10 (gateway spec).
    /// </summary>
    [Range(1, 1000)]
    public int FailureLimit { get; set; } = 10;

    /// <summary>The window of <see cref="FailureLimit"/>, in seconds. Default: 60 (gateway spec: "within a minute").</summary>
    [Range(1, 3600)]
    public int FailureWindowSeconds { get; set; } = 60;

    /// <summary>
    /// Directory of the data-protection key ring that encrypts the sign-in cookie and antiforgery tokens.
    /// Default: unset, the ledger's <c>data_protection_keys</c> table, shared by every gateway on the ledger.
    /// </summary>
    public string? DataProtectionKeysPath { get; set; }

    /// <summary>
    /// A PKCS#12 (.pfx) certificate with its private key that encrypts the key ring at rest, wherever it is kept.
    /// Default: unset, the ring is stored unencrypted (protect the ledger or directory instead).
    /// </summary>
    public string? KeyRingCertificatePath { get; set; }

    /// <summary>The password of <see cref="KeyRingCertificatePath"/>; set it from the environment. Default: none.</summary>
    public string? KeyRingCertificatePassword { get; set; }

    public TimeSpan Session => TimeSpan.FromMinutes(SessionMinutes);

    public TimeSpan FailureWindow => TimeSpan.FromSeconds(FailureWindowSeconds);
}
