using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Meterai.Gateway.Tests.Auth;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Tests.Capacity;

[Collection(SharedChromium.Name)]
public sealed class CapacityVisibilityTests(Chromium chromium)
{
    [Fact]
    public async Task OversightDistributors_LearnedLimit_IsInTheApiAndInTheOversightPageColumn()
    {
        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("seller", capacity: 16)], OversightKeys.Settings());
        gateway.State("seller").SetCeiling(12);
        using var answer = await gateway.PurchaseAsync("visible-1");
        Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
        var learned = gateway.State("seller").ConcurrencyLimit;
        Assert.InRange(learned, 1, 12);

        using var request = new HttpRequestMessage(HttpMethod.Get, "/api/oversight/distributors");
        request.Headers.Add("X-Api-Key", OversightKeys.Regulator);
        using var response = await gateway.Client.SendAsync(request);
        var seller = Assert.Single((await response.Content.ReadFromJsonAsync<JsonElement>()).EnumerateArray());
        Assert.Equal(learned, seller.GetProperty("concurrencyLimit").GetInt32());

        await using var context = await chromium.NewContextAsync();
        var page = await context.NewPageAsync();
        await page.GotoAsync(new Uri(gateway.BaseAddress, "/oversight").ToString());
        await page.FillAsync("#apiKey", OversightKeys.Regulator);
        await Chromium.ClickAndWaitForLoadAsync(page, "button[type=submit]");
        var column = await page.EvaluateAsync<string>(
            "(() => { const i = [...document.querySelectorAll('#distributors thead th')].findIndex(h => h.innerText === 'Concurrency limit'); return i < 0 ? 'no column' : document.querySelector('#distributors tbody tr').cells[i].innerText; })()");
        Assert.Equal(learned.ToString(System.Globalization.CultureInfo.InvariantCulture), column);
    }

    [Theory]
    [InlineData("Capacity:Algorithm", "Magic", "Capacity:Algorithm must be one of Gradient, Aimd, Fixed.")]
    [InlineData("Capacity:OverloadBackoff", "1.5", "Capacity:OverloadBackoff must be more than 0 and less than 1 (it is 1.5).")]
    [InlineData("Capacity:InitialLimit", "0", "Capacity:InitialLimit must be from 1 to 10000 (it is 0).")]
    public async Task Start_InvalidCapacityOption_FailsWithOneLineNamingTheKey(string key, string value, string message)
    {
        var failure = await Assert.ThrowsAsync<OptionsValidationException>(() =>
            GatewayHarness.StartAsync([Fleets.Seller("d01")], new Dictionary<string, string?> { [key] = value }));

        Assert.Equal(message, Assert.Single(failure.Failures));
    }
}
