using System.Security.Claims;

namespace Meterai.Gateway.Auth;

/// <summary>The claims of a regulator or operator, the same whether they came by header or by cookie.</summary>
public static class OversightPrincipal
{
    /// <summary>The claim with <see cref="ApiKeyIdentity.KeyId"/>: which key a session was signed in with, so a session ends when its key leaves the configuration.</summary>
    public const string KeyIdClaim = "urn:meterai-gateway:key-id";

    internal static ClaimsPrincipal Create(ApiKeyIdentity key, string authenticationType) =>
        new(new ClaimsIdentity(
            [
                // The configuration index ("OperatorKeys:0") tells an audit trail which key acted without revealing it.
                new Claim(ClaimTypes.NameIdentifier, key.KeyName),
                new Claim(ClaimTypes.Name, key.KeyName),
                new Claim(ClaimTypes.Role, key.Role),
                new Claim(KeyIdClaim, key.KeyId),
            ],
            authenticationType,
            ClaimTypes.Name,
            ClaimTypes.Role));

    /// <summary><see cref="OversightRoles.Operator"/>, <see cref="OversightRoles.Regulator"/>, or null for anyone else.</summary>
    public static string? RoleOf(ClaimsPrincipal user) =>
        user.IsInRole(OversightRoles.Operator) ? OversightRoles.Operator
        : user.IsInRole(OversightRoles.Regulator) ? OversightRoles.Regulator
        : null;

    /// <summary>True when the person signed in with the form (so a sign-out button makes sense).</summary>
    public static bool IsSignedInWithCookie(ClaimsPrincipal user) =>
        user.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == OversightAuthSchemes.Cookie);
}
