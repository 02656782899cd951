using System.Security.Claims;

namespace Meterai.Gateway.Kernel;

/// <summary>The claims of a regulator or operator, the same whether they came by header or by cookie.</summary>
internal static class OversightPrincipal
{
    /// <summary>The claim with the key's id: which key a session was signed in with, so a session ends when its key leaves the configuration.</summary>
    public const string KeyIdClaim = "urn:meterai-gateway:key-id";

    /// <summary><see cref="OversightRoles.Operator"/>, <see cref="OversightRoles.Regulator"/>, or null for anyone else.</summary>
    public static string? RoleOf(ClaimsPrincipal user) =>
        user.IsInRole(OversightRoles.Operator) ? OversightRoles.Operator
        : user.IsInRole(OversightRoles.Regulator) ? OversightRoles.Regulator
        : null;

    /// <summary>True when the person signed in with the form (so a sign-out button makes sense).</summary>
    public static bool IsSignedInWithCookie(ClaimsPrincipal user) =>
        user.Identities.Any(i => i.IsAuthenticated && i.AuthenticationType == OversightAuthSchemes.Cookie);
}
