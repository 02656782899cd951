using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Tests.Auth;

/// <summary>The data-protection key ring and the sessions live in the ledger: a sign-in, and a sign-out, at one gateway holds at every other.</summary>
public sealed class SharedKeyRingTests
{
    [Fact]
    public async Task SignIn_AtOneGateway_CookieAcceptedAtAnother()
    {
        await using var ledger = await TestLedger.CreateAsync(LedgerProviders.Postgres);
        await using var fleet = await Meterai.Simulator.SimulatedFleet.StartAsync([Fleets.Seller("d01")]);
        var settings = LedgerSettings(ledger);
        await using var a = await GatewayHarness.StartSharingAsync(fleet, settings);
        await using var b = await GatewayHarness.StartSharingAsync(fleet, settings);
        var atA = new SignInFlow(a.RawClient);
        using var signIn = await atA.SignInAsync(OversightKeys.Operator);
        Assert.Equal(HttpStatusCode.Redirect, signIn.StatusCode);

        // The same browser, now sent to b by the load balancer.
        using var atB = await SessionLedger.GetWithCookieAsync(b, OversightEndpoints.ReadPage, SessionLedger.CookieHeader(atA));
        var html = await atB.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, atB.StatusCode);
        Assert.Contains("Sign out", html, StringComparison.Ordinal);
        Assert.Equal(1L, await a.QueryLedgerAsync<long>("SELECT COUNT(*) FROM data_protection_keys"));
    }

    [Fact]
    public async Task SignOut_AtOneGateway_CookieRefusedAtAnother()
    {
        await using var ledger = await TestLedger.CreateAsync(LedgerProviders.Postgres);
        await using var fleet = await Meterai.Simulator.SimulatedFleet.StartAsync([Fleets.Seller("d01")]);
        var settings = LedgerSettings(ledger);
        await using var a = await GatewayHarness.StartSharingAsync(fleet, settings);
        await using var b = await GatewayHarness.StartSharingAsync(fleet, settings);
        var browser = new SignInFlow(a.RawClient);
        using var signIn = await browser.SignInAsync(OversightKeys.Regulator);
        var copied = SessionLedger.CookieHeader(browser);
        using var page = await browser.GetAsync(OversightEndpoints.ReadPage);
        var html = await page.Content.ReadAsStringAsync();
        using var beforeAtB = await SessionLedger.GetWithCookieAsync(b, OversightEndpoints.ReadApi, copied);

        using var signOut = await browser.PostFormAsync(SignInFlow.FormAction(html, "/oversight/sign-out"), new() { [SignInFlow.TokenField] = SignInFlow.Token(html) });
        using var afterAtB = await SessionLedger.GetWithCookieAsync(b, OversightEndpoints.ReadApi, copied);

        Assert.Equal(HttpStatusCode.OK, beforeAtB.StatusCode);
        Assert.Equal(HttpStatusCode.Redirect, signOut.StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, afterAtB.StatusCode);
    }

    [Fact]
    public async Task KeyRing_CertificateConfigured_StoredEncryptedAndSignInWorks()
    {
        var directory = Directory.CreateTempSubdirectory("meterai-key-ring-");
        try
        {
            var pfx = Path.Combine(directory.FullName, "key-ring.pfx");
            using (var rsa = RSA.Create(2048))
            {
                var request = new CertificateRequest("CN=meterai-gateway key ring (test)", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));
                await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "test-password-1"));
            }

            var settings = new Dictionary<string, string?>(OversightKeys.Settings())
            {
                ["Auth:DataProtectionKeysPath"] = "",
                ["Auth:KeyRingCertificatePath"] = pfx,
                ["Auth:KeyRingCertificatePassword"] = "test-password-1",
            };
            await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], settings);
            var browser = new SignInFlow(gateway.RawClient);
            using var signIn = await browser.SignInAsync(OversightKeys.Regulator);
            using var page = await browser.GetAsync(OversightEndpoints.ReadPage);
            var ring = await gateway.QueryLedgerAsync<string>("SELECT xml FROM data_protection_keys");

            Assert.Equal(HttpStatusCode.OK, page.StatusCode);
            Assert.Contains("EncryptedData", ring, StringComparison.Ordinal);
            Assert.DoesNotContain("<value>", ring, StringComparison.Ordinal);
        }
        finally
        {
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task KeyRing_CertificateMissing_StartFailsNamingTheSetting()
    {
        var settings = new Dictionary<string, string?>(OversightKeys.Settings()) { ["Auth:KeyRingCertificatePath"] = "/nonexistent/key-ring.pfx" };

        var failure = await Assert.ThrowsAnyAsync<Exception>(() => GatewayHarness.StartAsync([Fleets.Seller("d01")], settings));

        var validation = Assert.IsType<OptionsValidationException>(failure.GetBaseException() as OptionsValidationException ?? failure);
        Assert.Contains("Auth:KeyRingCertificatePath", Assert.Single(validation.Failures), StringComparison.Ordinal);
    }

    private static Dictionary<string, string?> LedgerSettings(TestLedger ledger) =>
        new(ledger.Settings.Concat(OversightKeys.Settings()))
        {
            // Unset: the default, the ledger's key ring.
            ["Auth:DataProtectionKeysPath"] = "",
        };
}
