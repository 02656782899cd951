using System.Net;
using System.Security.Cryptography;
using Meterai.Gateway.Auth;
using Meterai.Gateway.Kernel;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Tests.Auth;

/// <summary>Configuration of the keys: validated at start, never logged, empty by default.</summary>
public sealed class AuthStartupAndLogTests
{
    [Fact]
    public async Task Requests_EveryKindOfKey_NoKeyOrDigestInLogsOrBodies()
    {
        var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], OversightKeys.Settings());
        var bodies = new List<string>();
        var sessions = new List<string>();
        try
        {
            foreach (var key in OversightKeys.All)
            {
                foreach (var path in new[] { OversightEndpoints.ReadApi, OversightEndpoints.ReadPage })
                {
                    using var request = new HttpRequestMessage(HttpMethod.Get, path);
                    request.Headers.Add("X-Api-Key", key);
                    using var response = await gateway.RawClient.SendAsync(request);
                    bodies.Add(response.Headers + await response.Content.ReadAsStringAsync());
                }

                using var act = new HttpRequestMessage(HttpMethod.Post, OversightEndpoints.ActApi);
                act.Headers.Add("X-Api-Key", key);
                using var acted = await gateway.RawClient.SendAsync(act);
                bodies.Add(acted.Headers + await acted.Content.ReadAsStringAsync());

                var browser = new SignInFlow(gateway.RawClient);
                using var signIn = await browser.SignInAsync(key);
                bodies.Add(signIn.Headers + await signIn.Content.ReadAsStringAsync());
                using var page = await browser.GetAsync(OversightEndpoints.ReadPage);
                bodies.Add(await page.Content.ReadAsStringAsync());
            }

            // The sessions in the ledger hold neither a key nor a digest a sha256: entry configures.
            sessions.AddRange((await SessionLedger.RowsAsync(gateway)).SelectMany(r => new[] { r.KeyId, System.Text.Encoding.UTF8.GetString(r.Ticket) }));
        }
        finally
        {
            // The failures are counted in one line, at the latest when the gateway stops.
            await gateway.DisposeAsync();
        }

        Assert.Equal(8, sessions.Count);

        // The requests did reach authentication and sign-in, which log.
        Assert.Contains(gateway.Logs.Lines, l => l.Contains("Oversight sign-in with", StringComparison.Ordinal));
        Assert.Contains(gateway.Logs.Lines, l => l.Contains("4 wrong keys or sign-ins", StringComparison.Ordinal));
        var everything = string.Join("\n", gateway.Logs.Lines.Concat(bodies).Concat(sessions));
        foreach (var secret in OversightKeys.Secrets())
        {
            Assert.DoesNotContain(secret, everything, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task Start_NoKeysConfigured_RefusesEveryoneAndSaysSo()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")]);
        using var request = new HttpRequestMessage(HttpMethod.Get, OversightEndpoints.ReadApi);
        request.Headers.Add("X-Api-Key", OversightKeys.Operator);

        using var response = await gateway.RawClient.SendAsync(request);

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Contains(gateway.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("refuse everyone", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("sha256:short-and-NOT-HEX-marker")]
    [InlineData("sha256:zz9f8e7d6c5b4a3928170f6e5d4c3b2a19f8e7d6c5b4a3928170f6e5d4c3b2a1")]
    [InlineData("sha256:")]
    [InlineData("   ")]
    public async Task Start_MalformedKey_FailsNamingTheIndexNotTheValue(string malformed)
    {
        var settings = OversightKeys.Settings();
        settings["Auth:OperatorKeys:2"] = malformed;

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayHarness.StartAsync([Fleets.Seller("d01")], settings));

        Assert.Contains("Auth:OperatorKeys:2", failure.Message, StringComparison.Ordinal);
        if (malformed.Trim().Length > "sha256:".Length)
        {
            Assert.DoesNotContain(malformed["sha256:".Length..], failure.Message, StringComparison.Ordinal);
        }

        foreach (var secret in OversightKeys.Secrets())
        {
            Assert.DoesNotContain(secret, failure.Message, StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("Auth:RegulatorKeys:0", "fifteen-chars-k")]
    [InlineData("Auth:OperatorKeys:1", "x")]
    public async Task Start_KeyShorterThan16_FailsWithOneLineNamingTheEntryNotTheKey(string entry, string shortKey)
    {
        var settings = OversightKeys.Settings();
        settings[entry] = shortKey;

        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() => GatewayHarness.StartAsync([Fleets.Seller("d01")], settings));

        var line = Assert.Single(failure.Failures);
        Assert.Contains($"{entry} must be at least 16 characters", line, StringComparison.Ordinal);
        Assert.DoesNotContain(shortKey, line.Replace(entry, "", StringComparison.Ordinal), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_Sha256EntryOfAShortKey_Accepted()
    {
        // The length rule is for keys an operator types; a digest's key is out of its sight.
        var settings = new Dictionary<string, string?> { ["Auth:RegulatorKeys:0"] = "sha256:" + OversightKeys.Sha256Hex("short") };

        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], settings);
        using var response = await gateway.RawClient.SendAsync(new HttpRequestMessage(HttpMethod.Get, OversightEndpoints.ReadApi) { Headers = { { "X-Api-Key", "short" } } });

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Fact]
    public async Task Start_KeysAsSingleValueNotArray_Fails()
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            GatewayHarness.StartAsync([Fleets.Seller("d01")], new Dictionary<string, string?> { ["Auth:RegulatorKeys"] = OversightKeys.Regulator }));

        Assert.Contains("Auth:RegulatorKeys must be an array", failure.Message, StringComparison.Ordinal);
        Assert.DoesNotContain(OversightKeys.Regulator, failure.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Find_KeyListedForBothRoles_IsOperator()
    {
        var store = Store(new AuthOptions { RegulatorKeys = ["same-key-0123456789"], OperatorKeys = ["other-key-0123456789", "same-key-0123456789"] });

        var found = store.Find("same-key-0123456789");
        Assert.Equal((OversightRoles.Operator, "OperatorKeys:1"), (found?.Role, found?.KeyName));
        Assert.Equal(found, store.FindById(found!.KeyId));
        Assert.Null(store.Find("same-key-0123456789 "));
        Assert.Null(store.Find(""));
    }

    [Theory]
    [InlineData("plain-key", true)]
    [InlineData("sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae", true)]
    [InlineData("Sha256:2C26B46B68FFC68FF99B453C1D30413413422D706483BFA0F98A5E886266E7AE", true)]
    [InlineData("sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7a", false)]
    [InlineData("sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7aeff", false)]
    [InlineData("", false)]
    public void TryParseEntry_ConfiguredEntry_AcceptsKeysAndSha256Hex(string configured, bool valid)
    {
        var digest = new byte[SHA256.HashSizeInBytes];

        Assert.Equal(valid, ApiKeyStore.TryParseEntry(configured, digest));
    }

    [Fact]
    public void Find_Sha256Entry_MatchesTheKeyItHashes()
    {
        // 2c26b4... is SHA-256("foo").
        var store = Store(new AuthOptions { RegulatorKeys = ["sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"] });

        Assert.Equal(OversightRoles.Regulator, store.Find("foo")?.Role);
        Assert.Null(store.Find("sha256:2c26b46b68ffc68ff99b453c1d30413413422d706483bfa0f98a5e886266e7ae"));
    }

    private static ApiKeyStore Store(AuthOptions options) =>
        new(new FixedOptionsMonitor(options), Microsoft.Extensions.Logging.Abstractions.NullLogger<ApiKeyStore>.Instance);

    private sealed class FixedOptionsMonitor(AuthOptions value) : IOptionsMonitor<AuthOptions>
    {
        public AuthOptions CurrentValue => value;

        public AuthOptions Get(string? name) => value;

        public IDisposable? OnChange(Action<AuthOptions, string?> listener) => null;
    }
}
