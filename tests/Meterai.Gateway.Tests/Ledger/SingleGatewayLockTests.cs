using System.Diagnostics;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Tests.Testing;

namespace Meterai.Gateway.Tests.Ledger;

/// <summary>A SQLite ledger serves one gateway; a crashed one never blocks the next start.</summary>
public sealed class SingleGatewayLockTests
{
    [Fact]
    public async Task Start_SecondGatewayOnTheSameSqliteFile_RefusedWithOneLine()
    {
        await using var ledger = await TestLedger.CreateAsync(LedgerProviders.Sqlite);
        await using var first = await GatewayHarness.StartAsync([Fleets.Seller("d01")], ledger.Settings);

        var registry = Path.Combine(Path.GetDirectoryName(first.LedgerPath)!, "registry.json");

        // The second gateway is a real process, so what the operator sees is what is asserted.
        var gateway = typeof(Program).Assembly.Location;
        var second = await ExternalTool.RunAsync(
            "dotnet",
            [gateway, "--urls", "http://127.0.0.1:0", "--Distributors:File", registry, "--ConnectionStrings:Ledger", ledger.ConnectionString],
            TimeSpan.FromSeconds(60),
            "The .NET SDK runs the tests, so this cannot happen.",
            Path.GetDirectoryName(gateway));

        Assert.Equal(2, second.ExitCode);
        var line = Assert.Single(second.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.Contains("in use by another gateway", line, StringComparison.Ordinal);
        Assert.Contains("Ledger:Provider=postgres", line, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", second.Output, StringComparison.Ordinal);
        Assert.True((await first.Client.GetAsync("/api/status")).IsSuccessStatusCode);
    }

    [Fact]
    public async Task Start_AfterTheHolderWasKilled_Starts()
    {
        await using var ledger = await TestLedger.CreateAsync(LedgerProviders.Sqlite);
        var lockPath = new SqliteLedgerDialect().SingleGatewayLockPath(ledger.ConnectionString)!;

        // A process that holds the lock the way a gateway does (flock, exclusive), then dies by SIGKILL.
        var holder = Process.Start(new ProcessStartInfo("flock", ["--exclusive", "--nonblock", lockPath, "sleep", "600"]) { UseShellExecute = false })!;
        await Eventually.TrueAsync(() => File.Exists(lockPath) && IsLocked(lockPath), "the holder takes the lock");
        holder.Kill(entireProcessTree: true);
        await holder.WaitForExitAsync();

        await using var gateway = await GatewayHarness.StartAsync([Fleets.Seller("d01")], ledger.Settings);

        Assert.True(File.Exists(lockPath));
        Assert.True(IsLocked(lockPath));
    }

    private static bool IsLocked(string path)
    {
        try
        {
            using var probe = new FileStream(path, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            return false;
        }
        catch (IOException)
        {
            return true;
        }
    }
}
