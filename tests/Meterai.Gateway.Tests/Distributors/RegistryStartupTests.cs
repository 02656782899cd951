using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Distributors;

/// <summary>The real gateway process, started with a bad registry, stops with one clear line.</summary>
public sealed class RegistryStartupTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("meterai-registry-test-");

    public static TheoryData<string, string[]> BadRegistries() => new()
    {
        { """{"distributors": [ {"id": "d01", "baseUrl": "http://127.0.0.1:9001"}, """, ["not valid JSON", "line"] },
        {
            """{"distributors": [{"id": "d01", "baseUrl": "http://127.0.0.1:9001"}, {"id": "d01", "baseUrl": "http://127.0.0.1:9002", "apiKey": "sk-live-STARTUP-SECRET"}]}""",
            ["entry 2", "duplicate id 'd01'", "entry 1"]
        },
        { """{"distributors": [{"id": "d07", "baseUrl": "ftp://127.0.0.1/x", "apiKey": "sk-live-STARTUP-SECRET"}]}""", ["entry 1", "'d07'", "baseUrl", "http(s)"] },
        { """{"distributors": [{"id": "d08", "baseUrl": "/relative"}]}""", ["entry 1", "'d08'", "baseUrl"] },
        { """{"distributors": []}""", ["empty"] },
    };

    [Theory]
    [MemberData(nameof(BadRegistries))]
    public async Task Start_MalformedRegistry_ExitsWithOneLineNamingFileEntryAndFault(string registry, string[] expectedFragments)
    {
        var path = Path.Combine(_directory.FullName, "registry.json");
        await File.WriteAllTextAsync(path, registry);

        var (exitCode, stdout, stderr) = await RunGatewayAsync(
            "--urls", "http://127.0.0.1:0",
            "--Distributors:File", path,
            "--ConnectionStrings:Ledger", $"Data Source={Path.Combine(_directory.FullName, "ledger.db")}");

        Assert.Equal(2, exitCode);
        var line = Assert.Single(stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains(path, line, StringComparison.Ordinal);
        foreach (var fragment in expectedFragments)
        {
            Assert.Contains(fragment, line, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("sk-live-STARTUP-SECRET", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", stdout + stderr, StringComparison.Ordinal);
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private static async Task<(int ExitCode, string Stdout, string Stderr)> RunGatewayAsync(params string[] arguments)
    {
        var gateway = typeof(Program).Assembly.Location;
        try
        {
            var result = await ExternalTool.RunAsync(
                "dotnet", [gateway, .. arguments], TimeSpan.FromSeconds(60), "The .NET SDK runs the tests, so this cannot happen.", Path.GetDirectoryName(gateway));
            return (result.ExitCode, result.Stdout, result.Stderr);
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException("The gateway kept running with a malformed registry.", ex);
        }
    }
}
