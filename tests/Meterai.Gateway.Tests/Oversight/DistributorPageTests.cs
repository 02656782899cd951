using System.Net;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Oversight;
using Meterai.Gateway.Tests.Auth;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Meterai.Gateway.Tests.Oversight;

/// <summary>
/// /oversight/distributors/{id}: its days are the ledger's, counted in WIB days (not UTC days), on
/// SQLite and on PostgreSQL; an unknown or hostile id is a 404 page, never a 5xx.
/// </summary>
public sealed class DistributorPageTests
{
    // 16:30 UTC is 23:30 WIB: an hour later it is the next day in Jakarta and still the same day in UTC.
    private static readonly DateTimeOffset LateEvening = new(2026, 11, 30, 16, 30, 0, TimeSpan.Zero);

    [Fact]
    public void DistributorDay_SoldOutOrRefusingEveryOrder_AvailabilityAsTheReportsCountIt()
    {
        var day = new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.FromHours(7));

        var soldOutHalf = new DistributorDay(day, Probes: 8, HealthyProbes: 8, SoldOutProbes: 4, Offers: 0, Sold: 0, Refused: 0, Undelivered: 0);
        var refusingAll = new DistributorDay(day, Probes: 8, HealthyProbes: 8, SoldOutProbes: 0, Offers: 5, Sold: 0, Refused: 5, Undelivered: 0);

        // Healthy but sold out is not able to sell; answering every probe while refusing every order is 0%.
        Assert.Equal((0.5, 1.0), (soldOutHalf.Availability, soldOutHalf.Reachability));
        Assert.Equal((0.0, 1.0), (refusingAll.Availability, refusingAll.Reachability));
    }

    [Theory]
    [InlineData(LedgerProviders.Sqlite)]
    [InlineData(LedgerProviders.Postgres)]
    public async Task GetHistory_SalesEitherSideOfWibMidnight_CountedOnTheirWibDays(string provider)
    {
        var clock = new FakeTimeProvider(LateEvening);
        await using var gateway = await StartAsync(clock, provider);
        await SellAsync(gateway, clock, 2);
        await gateway.ProbeNowAsync();
        clock.Advance(TimeSpan.FromHours(1));
        await SellAsync(gateway, clock, 3);
        await gateway.ProbeNowAsync();

        var history = await gateway.Services.GetRequiredService<OversightQueries>().GetHistoryAsync("d01", CancellationToken.None);

        Assert.NotNull(history);
        Assert.Equal(OversightQueries.HistoryDays, history.Days.Count);
        var (yesterday, today) = (history.Days[^2], history.Days[^1]);
        Assert.Equal(new DateTimeOffset(2026, 11, 30, 0, 0, 0, TimeSpan.FromHours(7)), yesterday.Day);
        Assert.Equal((2, 2), (yesterday.Offers, yesterday.Sold));
        Assert.Equal((3, 3), (today.Offers, today.Sold));
        Assert.True(yesterday.Probes > 0 && today.Probes > 0, $"Probes: {yesterday.Probes} yesterday, {today.Probes} today.");
        Assert.Equal(0, history.Days.Take(28).Sum(d => d.Offers + d.Probes));
    }

    [Fact]
    public async Task DistributorPage_Regulator_ShowsChartsAndTheDaysInWib()
    {
        var clock = new FakeTimeProvider(LateEvening);
        await using var gateway = await StartAsync(clock, LedgerProviders.Sqlite);
        await SellAsync(gateway, clock, 2);
        await gateway.ProbeNowAsync();

        using var response = await gateway.Client.SendWithKeyAsync(HttpMethod.Get, "/oversight/distributors/d01", OversightKeys.Regulator);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Contains("id=\"availability-chart\"", html, StringComparison.Ordinal);
        Assert.Contains("id=\"orders-chart\"", html, StringComparison.Ordinal);
        Assert.Contains("<td class=\"nowrap\">Mon 30 Nov</td>", html, StringComparison.Ordinal);
        Assert.Contains("WIB", html, StringComparison.Ordinal);
        Assert.Contains("<html lang=\"en\">", html, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("/oversight/distributors/d99")]
    [InlineData("/oversight/distributors/..%2F..%2Fapi%2Fstatus")]
    [InlineData("/oversight/distributors/%3Cscript%3Ealert(1)%3C%2Fscript%3E")]
    [InlineData("/oversight/distributors/%E2%80%AE%F0%9F%98%80")]
    public async Task DistributorPage_UnknownOrHostileId_404PageNamingNothingFromTheRequest(string path)
    {
        await using var gateway = await StartAsync(new FakeTimeProvider(LateEvening), LedgerProviders.Sqlite);

        using var response = await gateway.Client.SendWithKeyAsync(HttpMethod.Get, path, OversightKeys.Regulator);
        var html = await response.Content.ReadAsStringAsync();

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("text/html", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("No distributor with that id", html, StringComparison.Ordinal);
        Assert.DoesNotContain("<script", html, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task DistributorPage_IdLongerThanAnyRegistryId_404()
    {
        await using var gateway = await StartAsync(new FakeTimeProvider(LateEvening), LedgerProviders.Sqlite);

        using var response = await gateway.Client.SendWithKeyAsync(HttpMethod.Get, "/oversight/distributors/" + new string('d', 5000), OversightKeys.Regulator);

        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
    }

    [Fact]
    public async Task DistributorPage_NoKey_401()
    {
        await using var gateway = await StartAsync(new FakeTimeProvider(LateEvening), LedgerProviders.Sqlite);

        using var response = await gateway.RawClient.GetAsync("/oversight/distributors/d01");

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
    }

    private static Task<GatewayHarness> StartAsync(FakeTimeProvider clock, string provider)
    {
        var settings = OversightKeys.Settings();
        settings["Oversight:FirstAuditDelaySeconds"] = "86400";
        settings["Oversight:EvidenceSampleSeconds"] = "3600";
        settings["Reconciliation:IntervalSeconds"] = "86400";
        return GatewayHarness.StartAsync([Fleets.Seller("d01")], settings, services: s => s.AddSingleton<TimeProvider>(clock), ledgerProvider: provider);
    }

    private static async Task SellAsync(GatewayHarness gateway, FakeTimeProvider clock, int count)
    {
        // The distributor is routable once a probe has seen it healthy and in stock; then each clock
        // read moves time a little, so an order takes a measurable (fake) time.
        await gateway.ProbeNowAsync();
        clock.AutoAdvanceAmount = TimeSpan.FromMilliseconds(1);
        for (var i = 0; i < count; i++)
        {
            using var response = await gateway.PurchaseAsync($"history-{Guid.NewGuid():N}");
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
        }

        clock.AutoAdvanceAmount = TimeSpan.Zero;
    }
}
