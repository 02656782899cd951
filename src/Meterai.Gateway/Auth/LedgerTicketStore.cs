using System.Security.Cryptography;
using Dapper;
using Meterai.Gateway.Kernel;
using Meterai.Gateway.Ledger;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.Cookies;

namespace Meterai.Gateway.Auth;

/// <summary>
/// The sign-in cookie's session, kept in the ledger's <c>oversight_sessions</c> table
/// (<see cref="CookieAuthenticationOptions.SessionStore"/>): the cookie carries only a random id, so a
/// session that is signed out, expired or refused is gone for every gateway on the ledger, and a
/// copied cookie is worth nothing once it is.
/// </summary>
/// <remarks>
/// The row is keyed by the SHA-256 of the id, so the table alone does not yield a cookie. Expired
/// rows are never read (the query checks the time) and are deleted at each sign-in, which is rare
/// enough that the cleanup costs nothing and needs no schedule.
/// </remarks>
internal sealed class LedgerTicketStore(LedgerDatabase database, TimeProvider time) : ITicketStore
{
    private static readonly LedgerStatement Insert = LedgerStatement.Load("session-insert", "id", "keyId", "ticket", "expiresAt");
    private static readonly LedgerStatement Renew = LedgerStatement.Load("session-renew", "id", "ticket", "expiresAt");
    private static readonly LedgerStatement Read = LedgerStatement.Load("session-read", "id", "now");
    private static readonly LedgerStatement Remove = LedgerStatement.Load("session-remove", "id");
    private static readonly LedgerStatement RemoveExpired = LedgerStatement.Load("session-remove-expired", "now");

    public Task<string> StoreAsync(AuthenticationTicket ticket) => StoreAsync(ticket, CancellationToken.None);

    public async Task<string> StoreAsync(AuthenticationTicket ticket, CancellationToken cancellationToken)
    {
        var key = Base64UrlEncode(RandomNumberGenerator.GetBytes(32));
        var now = time.GetUtcNow().ToUnixTimeMilliseconds();
        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        await lease.Connection.ExecuteAsync(new CommandDefinition(RemoveExpired.Sql, new { now }, cancellationToken: cancellationToken));
        await lease.Connection.ExecuteAsync(new CommandDefinition(
            Insert.Sql,
            new
            {
                id = RowId(key),
                keyId = ticket.Principal.FindFirst(OversightPrincipal.KeyIdClaim)?.Value ?? "",
                ticket = TicketSerializer.Default.Serialize(ticket),
                expiresAt = ExpiresAt(ticket),
            },
            cancellationToken: cancellationToken));
        return key;
    }

    public Task RenewAsync(string key, AuthenticationTicket ticket) => RenewAsync(key, ticket, CancellationToken.None);

    public async Task RenewAsync(string key, AuthenticationTicket ticket, CancellationToken cancellationToken)
    {
        await using var lease = await database.OpenForWriteAsync(cancellationToken);
        await lease.Connection.ExecuteAsync(new CommandDefinition(
            Renew.Sql,
            new { id = RowId(key), ticket = TicketSerializer.Default.Serialize(ticket), expiresAt = ExpiresAt(ticket) },
            cancellationToken: cancellationToken));
    }

    public Task<AuthenticationTicket?> RetrieveAsync(string key) => RetrieveAsync(key, CancellationToken.None);

    public async Task<AuthenticationTicket?> RetrieveAsync(string key, CancellationToken cancellationToken)
    {
        await using var connection = await database.OpenAsync(cancellationToken);
        var bytes = await connection.QuerySingleOrDefaultAsync<byte[]>(new CommandDefinition(
            Read.Sql, new { id = RowId(key), now = time.GetUtcNow().ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
        return bytes is null ? null : TicketSerializer.Default.Deserialize(bytes);
    }

    public Task RemoveAsync(string key) => RemoveAsync(key, CancellationToken.None);

    public async Task RemoveAsync(string key, CancellationToken cancellationToken)
    {
        // Not cancelled with the request: a sign-out whose browser went away must still end the session.
        await using var lease = await database.OpenForWriteAsync(CancellationToken.None);
        await lease.Connection.ExecuteAsync(Remove.Sql, new { id = RowId(key) });
    }

    private long ExpiresAt(AuthenticationTicket ticket) =>
        (ticket.Properties.ExpiresUtc ?? time.GetUtcNow()).ToUnixTimeMilliseconds();

    private static string RowId(string key) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(key)));

    private static string Base64UrlEncode(byte[] bytes) => System.Buffers.Text.Base64Url.EncodeToString(bytes);
}
