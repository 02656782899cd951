using System.Net;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Auth;

/// <summary>
/// Gateway spec: after 10 wrong keys or sign-ins within a minute from one client address, further
/// attempts get 429 with Retry-After (problem+json) until the window passes, even with a right
/// key; failures are logged as counts, not one line each.
/// </summary>
public sealed class ThrottleTests
{
    [Fact]
    public async Task WrongKeys_TenThenTheRightKey_429WithRetryAfterProblem()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], OversightKeys.Settings());
        var statuses = new List<HttpStatusCode>();
        for (var i = 0; i < 10; i++)
        {
            using var wrong = await ReadAsync(gateway, OversightKeys.Unknown);
            statuses.Add(wrong.StatusCode);
        }

        using var right = await ReadAsync(gateway, OversightKeys.Regulator);
        using var rightSignIn = await new SignInFlow(gateway.RawClient).SignInAsync(OversightKeys.Operator);

        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.Unauthorized, s));
        Assert.Equal(HttpStatusCode.TooManyRequests, right.StatusCode);
        Assert.Equal("application/problem+json", right.Content.Headers.ContentType?.MediaType);
        Assert.InRange(right.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(60));
        var problem = await GatewayHarness.JsonAsync(right);
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
        Assert.Equal(HttpStatusCode.TooManyRequests, rightSignIn.StatusCode);
        Assert.NotNull(rightSignIn.Headers.RetryAfter);
    }

    [Fact]
    public async Task WrongSignInsAndKeys_TogetherTen_NextAttempt429ButPurchasesAndSessionsUntouched()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], OversightKeys.Settings());
        var signedIn = new SignInFlow(gateway.RawClient);
        using var signIn = await signedIn.SignInAsync(OversightKeys.Regulator);
        for (var i = 0; i < 5; i++)
        {
            using var wrongSignIn = await new SignInFlow(gateway.RawClient).SignInAsync(OversightKeys.Unknown);
            using var wrongKey = await ReadAsync(gateway, OversightKeys.Unknown);
            Assert.Equal(HttpStatusCode.Unauthorized, wrongSignIn.StatusCode);
            Assert.Equal(HttpStatusCode.Unauthorized, wrongKey.StatusCode);
        }

        using var throttled = await ReadAsync(gateway, OversightKeys.Operator);
        using var purchase = await gateway.PurchaseAsync("throttled-address-purchase-1");
        using var session = await signedIn.GetAsync(OversightEndpoints.ReadApi);

        Assert.Equal(HttpStatusCode.TooManyRequests, throttled.StatusCode);
        Assert.Equal(HttpStatusCode.Created, purchase.StatusCode);
        Assert.Equal(HttpStatusCode.OK, session.StatusCode);
    }

    [Fact]
    public async Task Throttled_WindowPasses_RightKeyAllowedAgain()
    {
        // A short window instead of a minute: the limiter keeps its own clock, which a test cannot move.
        var settings = new Dictionary<string, string?>(OversightKeys.Settings()) { ["Auth:FailureWindowSeconds"] = "2" };
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], settings);
        var wrong = 0;
        while (true)
        {
            using var attempt = await ReadAsync(gateway, OversightKeys.Unknown);
            if (attempt.StatusCode == HttpStatusCode.TooManyRequests)
            {
                Assert.InRange(attempt.Headers.RetryAfter?.Delta ?? TimeSpan.Zero, TimeSpan.FromSeconds(1), TimeSpan.FromSeconds(2));
                break;
            }

            Assert.True(++wrong < 100, "never throttled");
        }

        var allowed = await Eventually.MatchesAsync(
            async () => { using var right = await ReadAsync(gateway, OversightKeys.Regulator); return right.StatusCode; },
            s => s != HttpStatusCode.TooManyRequests,
            "the window to pass",
            within: TimeSpan.FromSeconds(20),
            every: TimeSpan.FromMilliseconds(200));

        Assert.True(wrong >= 10, $"throttled after {wrong} wrong keys");
        Assert.Equal(HttpStatusCode.OK, allowed);
    }

    [Fact]
    public async Task ThirtyWrongAttempts_Logged_AsCountsNotOneLineEach()
    {
        var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], OversightKeys.Settings());
        int before;
        List<string> added;
        try
        {
            // The first form creates the key ring, which Data Protection warns about once: not a failure.
            using (await gateway.RawClient.GetAsync("/oversight/sign-in"))
            {
            }

            await Eventually.TrueAsync(() => gateway.Logs.Lines.Any(l => l.Contains("Microsoft.AspNetCore.DataProtection", StringComparison.Ordinal)), "the key ring");
            before = gateway.Logs.Lines.Count;
            for (var i = 0; i < 15; i++)
            {
                using var wrongKey = await ReadAsync(gateway, OversightKeys.Unknown);
                using var wrongSignIn = await new SignInFlow(gateway.RawClient).SignInAsync(OversightKeys.Unknown);
            }

            added = [.. gateway.Logs.Lines.Skip(before).Where(IsNotable)];
        }
        finally
        {
            await gateway.DisposeAsync();
        }

        // One line when the address is throttled, and the summary of its window (written at the latest on stop);
        // nothing else of the gateway's own at Information or above, and no framework warning.
        Assert.Contains("are refused with 429", Assert.Single(added), StringComparison.Ordinal);
        var summary = Assert.Single(gateway.Logs.Lines, l => l.Contains("wrong keys or sign-ins", StringComparison.Ordinal) && l.Contains("in the last", StringComparison.Ordinal));
        Assert.Contains("127.0.0.1: 10 wrong keys or sign-ins and 20 attempts refused with 429 in the last 60 s", summary, StringComparison.Ordinal);
    }

    [Fact]
    public async Task BehindTrustedProxy_EachForwardedClient_ThrottledAlone()
    {
        var settings = new Dictionary<string, string?>(OversightKeys.Settings()) { ["TrustedProxies:Addresses:0"] = "127.0.0.1" };
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], settings);
        for (var i = 0; i < 10; i++)
        {
            using var wrong = await ReadAsync(gateway, OversightKeys.Unknown, forwardedFor: "203.0.113.7");
        }

        using var sameClient = await ReadAsync(gateway, OversightKeys.Regulator, forwardedFor: "203.0.113.7");
        using var otherClient = await ReadAsync(gateway, OversightKeys.Regulator, forwardedFor: "203.0.113.8");

        Assert.Equal(HttpStatusCode.TooManyRequests, sameClient.StatusCode);
        Assert.Equal(HttpStatusCode.OK, otherClient.StatusCode);
    }

    private static bool IsNotable(string l) =>
        l.StartsWith("Information Meterai.", StringComparison.Ordinal) || l.StartsWith("Warning ", StringComparison.Ordinal) || l.StartsWith("Error ", StringComparison.Ordinal);

    private static Task<HttpResponseMessage> ReadAsync(GatewayHarness gateway, string key, string? forwardedFor = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, OversightEndpoints.ReadApi);
        request.Headers.Add("X-Api-Key", key);
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        return gateway.RawClient.SendAsync(request);
    }
}
