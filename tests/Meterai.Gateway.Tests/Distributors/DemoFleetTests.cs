using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Meterai.Gateway.Tests.Distributors;

public sealed class DemoFleetTests
{
    [Fact]
    public async Task Start_NoRegistryFile_ServesTheDemoFleetOf26AndSells()
    {
        var directory = Directory.CreateTempSubdirectory("meterai-demo-test-");
        try
        {
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
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    [Fact]
    public async Task Run_StatesStable_ProbeRoundsWriteNoLinesAndNoStackTraces()
    {
        // Rounds every second instead of every 15 s; no demo applicants, so only probes speak.
        var directory = Directory.CreateTempSubdirectory("meterai-demo-logs-");
        try
        {
            var logs = new CapturedLogs();
            await using var factory = new WebApplicationFactory<Program>().WithWebHostBuilder(builder =>
            {
                builder.UseSetting("ConnectionStrings:Ledger", $"Data Source={Path.Combine(directory.FullName, "ledger.db")}");
                builder.UseSetting("Probing:IntervalSeconds", "1");
                builder.UseSetting("Demo:PurchasesPerSecond", "0");
                builder.ConfigureLogging(logging => logging.AddProvider(logs));
            });
            factory.UseKestrel(0);
            factory.StartServer();
            var fleet = factory.Services.GetRequiredService<DistributorFleet>();
            await Eventually.TrueAsync(() => fleet.All.Count > 0 && fleet.All.All(d => d.LastProbedAt is not null), "the demo fleet's first probes");
            await ProbeRoundsAsync(fleet.All[0], 2);

            var before = Lines(logs).Count;
            await ProbeRoundsAsync(fleet.All[0], 6);
            var during = Lines(logs).Skip(before).ToList();

            // d24-d26 flap every 20 s: their changes are the only lines a stable fleet may write.
            var flapping = DemoFleet.Create().Where(d => d.Behavior.FlapPeriod > TimeSpan.Zero).Select(d => $"Distributor {d.Id} ").ToList();
            Assert.All(during, line => Assert.Contains(flapping, f => line.Contains(f, StringComparison.Ordinal)));

            // The first round's changes: one line per distributor found down, each naming it, none with a stack.
            var all = Lines(logs);
            Assert.DoesNotContain(all, line => line.Contains(" Polly", StringComparison.Ordinal));
            Assert.DoesNotContain(all, line => line.Contains("   at ", StringComparison.Ordinal));
            foreach (var down in DemoFleet.Create().Where(d => d.Behavior.Down != DownMode.None).Select(d => d.Id))
            {
                Assert.Single(all, line => line.Contains($"Distributor {down} ", StringComparison.Ordinal));
            }
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    /// <summary>What reaches the console at the default levels (appsettings.json's filters apply to every provider).</summary>
    private static List<string> Lines(CapturedLogs logs) =>
        logs.Lines.Where(line => !line.StartsWith("Debug ", StringComparison.Ordinal) && !line.StartsWith("Trace ", StringComparison.Ordinal)).ToList();

    private static async Task ProbeRoundsAsync(DistributorState distributor, int rounds)
    {
        for (var i = 0; i < rounds; i++)
        {
            var last = distributor.LastProbedAt;
            await Eventually.TrueAsync(() => distributor.LastProbedAt != last, "a probe round");
        }
    }
}
