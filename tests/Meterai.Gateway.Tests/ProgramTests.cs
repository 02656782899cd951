using System.Net;
using System.Reflection;
using System.Text.RegularExpressions;
using Dapper;
using Meterai.Gateway.Tests.Observability.Dashboards;
using Meterai.Gateway.Tests.Testing;
using Meterai.Simulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;

namespace Meterai.Gateway.Tests;

/// <summary>
/// Program.cs's Add calls in another order still make a working gateway: each feature registers what
/// it needs without relying on what was registered before it. The calls are read from Program.cs
/// itself, so a feature added there is covered here without a second list.
/// </summary>
public sealed partial class ProgramTests
{
    private static readonly Assembly Gateway = typeof(Program).Assembly;
    private static readonly Random Shuffle = new(20240901);

    [Fact]
    public void ProgramCs_AddCalls_EachIsAFeatureExtension()
    {
        var adds = ProgramCalls("builder").Select(c => c.Method).ToList();

        Assert.Contains("AddLedger", adds);
        Assert.Contains("AddScheduling", adds);
        Assert.Contains("AddProbing", adds);
        Assert.All(adds, add => Extension(add, typeof(WebApplicationBuilder)));
        Assert.Contains(ProgramCalls("builder"), c => c is { Method: "AddScheduling", Arguments.Length: > 0 });
    }

    [Theory]
    [InlineData("reversed")]
    [InlineData("shuffled")]
    public async Task Start_AddCallsInAnotherOrder_MigratesSchedulesAndSells(string order)
    {
        var adds = ProgramCalls("builder");
        var reordered = order == "reversed" ? adds.AsEnumerable().Reverse().ToList() : adds.OrderBy(_ => Shuffle.Next()).ToList();
        Assert.NotEqual(adds, reordered);

        await using var fleet = await SimulatedFleet.StartAsync([Fleets.Seller("d01")]);
        var directory = Directory.CreateTempSubdirectory("meterai-order-test-");
        try
        {
            var ledger = $"Data Source={Path.Combine(directory.FullName, "ledger.db")}";
            var registry = Path.Combine(directory.FullName, "registry.json");
            await File.WriteAllTextAsync(registry, fleet.ToRegistryJson());
            var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = directory.FullName });
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Configuration["Distributors:File"] = registry;
            builder.Configuration["ConnectionStrings:Ledger"] = ledger;
            builder.Configuration["Auth:DataProtectionKeysPath"] = Path.Combine(directory.FullName, "keys");
            foreach (var (add, arguments) in reordered)
            {
                var extension = Extension(add, typeof(WebApplicationBuilder));
                extension.Invoke(null, Arguments(extension, builder, arguments));
            }

            await using var app = builder.Build();
            foreach (var (call, _) in ProgramCalls("app"))
            {
                Extension(call, app.GetType()).Invoke(null, [app]);
            }

            await app.StartAsync();
            using var client = new HttpClient { BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single()) };
            await Eventually.TrueAsync(async () => (await client.GetAsync("/api/status")).StatusCode == HttpStatusCode.OK, "the status API");
            using var purchase = new HttpRequestMessage(HttpMethod.Post, "/api/purchases")
            {
                Content = new StringContent("""{"quantity":1,"applicantRef":"NIK-3171234567890001"}""", System.Text.Encoding.UTF8, "application/json"),
            };
            purchase.Headers.Add("Idempotency-Key", $"order-{order}");
            using var sold = await client.SendAsync(purchase);

            Assert.Equal(HttpStatusCode.Created, sold.StatusCode);
            await using var connection = new SqliteConnection(ledger);
            Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM purchases"));
            Assert.Equal(1L, await connection.ExecuteScalarAsync<long>("SELECT COUNT(*) FROM QRTZ_TRIGGERS WHERE TRIGGER_NAME = 'probe'"));
            await app.StopAsync();
        }
        finally
        {
            SqliteConnection.ClearAllPools();
            directory.Delete(recursive: true);
        }
    }

    /// <summary>
    /// The extension methods Program.cs calls on <paramref name="receiver"/> (<c>builder.AddLedger();</c>), in its
    /// order, with their arguments: method groups such as <c>ProbingExtensions.ScheduleJobs</c>, or none.
    /// </summary>
    private static List<(string Method, string Arguments)> ProgramCalls(string receiver)
    {
        var program = File.ReadAllText(RepositoryFiles.PathOf("src", "Meterai.Gateway", "Program.cs"));
        return Call().Matches(program).Where(m => m.Groups["receiver"].Value == receiver).Select(m => (m.Groups["method"].Value, m.Groups["arguments"].Value)).ToList();
    }

    /// <summary>A feature's extension (its static class internal like every gateway type) taking the receiver first.</summary>
    private static MethodInfo Extension(string name, Type receiver) =>
        Assert.Single(
            Gateway.GetTypes().Where(t => t.IsAbstract && t.IsSealed && !t.IsNested).SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)),
            m => m.Name == name && m.IsDefined(typeof(System.Runtime.CompilerServices.ExtensionAttribute))
                && m.GetParameters() is [var first, ..] && first.ParameterType.IsAssignableFrom(receiver));

    /// <summary>The receiver, then the method groups Program.cs passes, as the delegates of the extension's <c>params</c> array.</summary>
    private static object?[] Arguments(MethodInfo extension, object receiver, string arguments)
    {
        var parameters = extension.GetParameters();
        if (parameters.Length == 1)
        {
            return [receiver];
        }

        var delegateType = parameters[1].ParameterType.GetElementType()!;
        var groups = arguments.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)
            .Select(group => group.Split('.'))
            .Select(group => Delegate.CreateDelegate(delegateType, Gateway.GetTypes().Single(t => t.Name == group[0]).GetMethod(group[1], BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static)!))
            .ToArray();
        var array = Array.CreateInstance(delegateType, groups.Length);
        Array.Copy(groups, array, groups.Length);
        return [receiver, array];
    }

    [GeneratedRegex(@"^\s*(?<receiver>builder|app)\.(?<method>\w+)\((?<arguments>[\w., ]*)\);", RegexOptions.Multiline)]
    private static partial Regex Call();
}
