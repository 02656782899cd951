using Dapper;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace Meterai.Gateway.Tests.Auth;

/// <summary>The sign-in sessions a gateway keeps in its ledger, and changes to its keys while it runs.</summary>
internal static class SessionLedger
{
    public sealed record Row(string KeyId, byte[] Ticket, long ExpiresAt);

    public static async Task<IReadOnlyList<Row>> RowsAsync(GatewayHarness gateway)
    {
        await using var connection = await gateway.Services.GetRequiredService<LedgerDatabase>().OpenAsync(CancellationToken.None);
        return [.. await connection.QueryAsync<Row>("SELECT key_id AS KeyId, ticket AS Ticket, expires_at AS ExpiresAt FROM oversight_sessions")];
    }

    /// <summary>Changes configuration entries and reloads, as an operator's edited appsettings.json would.</summary>
    public static void Reconfigure(GatewayHarness gateway, IReadOnlyDictionary<string, string?> changes)
    {
        var configuration = (IConfigurationRoot)gateway.Services.GetRequiredService<IConfiguration>();
        foreach (var (key, value) in changes)
        {
            configuration[key] = value;
        }

        configuration.Reload();
    }

    /// <summary>The Cookie header a browser with these cookies sends.</summary>
    public static string CookieHeader(SignInFlow browser) => string.Join("; ", browser.Cookies.Select(c => $"{c.Key}={c.Value}"));

    /// <summary>A GET with exactly this Cookie header: a copied cookie, replayed.</summary>
    public static Task<HttpResponseMessage> GetWithCookieAsync(GatewayHarness gateway, string path, string cookie)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", cookie);
        return gateway.RawClient.SendAsync(request);
    }
}
