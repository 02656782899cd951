using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Meterai.Gateway.Distributors;
using Meterai.Simulator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Extensions.DependencyInjection;

namespace Meterai.Gateway.Tests.Distributors;

public sealed class DemoFleetTests
{
    [Fact]
    public async Task Start_NoRegistryFile_ServesTheDemoFleetOf26AndSells()
    {
        var directory = Directory.CreateTempSubdirectory("meterai-demo-test-");
        await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
            builder.UseSetting("ConnectionStrings:Ledger", $"Data Source={Path.Combine(directory.FullName, "ledger.db")}"));
        factory.UseKestrel(0);
        factory.StartServer();
        using var client = factory.CreateClient();
        var fleet = factory.Services.GetRequiredService<DistributorFleet>();
        await Eventually.TrueAsync(() => fleet.All.Count > 0 && fleet.All.All(d => d.LastProbedAt is not null), "the demo fleet's first probes");

        var purchases = new List<JsonElement>();
        for (var i = 0; i < 5; i++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/api/purchases") { Content = JsonContent.Create(new { quantity = 1, applicantRef = "CPNS-2024-000001" }) };
            request.Headers.Add("Idempotency-Key", $"demo-fleet-test-{i:D3}");
            using var response = await client.SendAsync(request);
            Assert.Equal(HttpStatusCode.Created, response.StatusCode);
            purchases.Add(await response.Content.ReadFromJsonAsync<JsonElement>());
        }

        Assert.True(fleet.IsDemo);
        Assert.Equal(DemoFleet.Registered, fleet.All.Count);
        Assert.Equal(DemoFleet.Registered - 4, fleet.All.Count(d => d.Healthy == true)); // the four that refuse connections
        // The ten sellers, and the flapping ones during their healthy half: never the idle, sold-out or down ones.
        var demo = DemoFleet.Create();
        var sellers = demo.Take(DemoFleet.Selling).Concat(demo.Where(d => d.Behavior.FlapPeriod > TimeSpan.Zero)).Select(d => d.Id).ToHashSet();
        Assert.All(purchases, p => Assert.Contains(p.GetProperty("distributorId").GetString()!, sellers));
    }
}
