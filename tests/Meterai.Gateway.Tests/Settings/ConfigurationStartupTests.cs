using System.Net;
using Meterai.Gateway.Health;
using Meterai.Gateway.Probing;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Tests.Settings;

/// <summary>
/// The real gateway process, started with one value out of range, stops with exit code 2 and one
/// line naming the key and its allowed range; never a stack trace.
/// </summary>
public sealed class ConfigurationStartupTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("meterai-config-test-");

    /// <summary>One bad value per options class (and each kind of fault): the key, the value, what the line must say.</summary>
    public static TheoryData<string, string, string[]> BadValues() => new()
    {
        { "Admission:MaxWaitServiceTimes", "0", ["Admission:MaxWaitServiceTimes", "more than 0 and at most 100"] },
        { "Admission:DrainWindowSeconds", "1e9", ["Admission:DrainWindowSeconds", "whole number from 1 to 600"] },
        { "Distributors:DefaultMaxConcurrency", "0", ["Distributors:DefaultMaxConcurrency", "from 1 to 10000"] },
        { "Demo:PurchasesPerSecond", "-1", ["Demo:PurchasesPerSecond", "from 0 to 1000"] },
        { "Probing:IntervalSeconds", "0", ["Probing:IntervalSeconds", "from 1 to 86400"] },
        { "Probing:TimeoutSeconds", "abc", ["Probing:TimeoutSeconds", "a number more than 0 and at most 60"] },
        { "PassiveHealth:FailureRateThreshold", "1.5", ["PassiveHealth:FailureRateThreshold", "more than 0 and at most 1"] },
        { "PassiveHealth:RefusalsBeforeUnhealthy", "0", ["PassiveHealth:RefusalsBeforeUnhealthy", "from 1 to 1000"] },
        { "Purchasing:MaxAttempts", "0", ["Purchasing:MaxAttempts", "from 1 to 100"] },
        { "Purchasing:AttemptTimeoutSeconds", "NaN", ["Purchasing:AttemptTimeoutSeconds", "more than 0 and at most 300"] },
        { "Reconciliation:DeliveryDeadlineMinutes", "-5", ["Reconciliation:DeliveryDeadlineMinutes", "more than 0 and at most 10080"] },
        { "Reconciliation:OrphanHorizonHours", "0", ["Reconciliation:OrphanHorizonHours", "more than 0 and at most 8760"] },
        { "Reconciliation:BackoffSeconds:0", "-1", ["Reconciliation:BackoffSeconds:0", "from 0 to 86400"] },
        { "Oversight:SoldOutThreshold", "0", ["Oversight:SoldOutThreshold", "more than 0 and at most 1"] },
        { "Oversight:AuditIntervalMinutes", "1e308", ["Oversight:AuditIntervalMinutes", "from 1 to 10080"] },
        { "Scheduling:Enabled", "maybe", ["Scheduling:Enabled", "true or false"] },
        { "Scheduling:InstanceName", " ", ["Scheduling:InstanceName", "1 to 80 characters"] },
        { "Auth:SessionMinutes", "0", ["Auth:SessionMinutes", "from 1 to 10080"] },
        { "Auth:FailureLimit", "0", ["Auth:FailureLimit", "from 1 to 1000"] },
        { "Auth:FailureWindowSeconds", "86400", ["Auth:FailureWindowSeconds", "from 1 to 3600"] },
        { "Auth:RegulatorKeys:0", "fifteen-chars-k", ["Auth:RegulatorKeys:0", "at least 16 characters"] },
        { "Auth:KeyRingCertificatePath", "/nonexistent/key-ring.pfx", ["Auth:KeyRingCertificatePath", "PKCS#12"] },
        { "Ledger:Provider", "mysql", ["Ledger:Provider", "sqlite, postgres"] },
        { "Ledger:SqliteSynchronous", "OFF", ["Ledger:SqliteSynchronous", "FULL, NORMAL"] },
        { "Metrics:LedgerGaugeRefreshSeconds", "0", ["Metrics:LedgerGaugeRefreshSeconds", "from 1 to 3600"] },
        { "TrustedProxies:Addresses:0", "not-an-address", ["TrustedProxies:Addresses:0", "IP address"] },
        { "TrustedProxies:Networks:0", "10.0.0.0/99", ["TrustedProxies:Networks:0", "CIDR"] },
    };

    [Theory]
    [MemberData(nameof(BadValues))]
    public async Task Start_ValueOutOfRange_ExitsWithOneLineNamingKeyAndRange(string key, string value, string[] expectedFragments)
    {
        var result = await RunGatewayAsync(
            "--urls", "http://127.0.0.1:0",
            "--ConnectionStrings:Ledger", $"Data Source={Path.Combine(_directory.FullName, "ledger.db")}",
            $"--{key}={value}");

        Assert.Equal(2, result.ExitCode);
        var line = Assert.Single(result.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        foreach (var fragment in expectedFragments)
        {
            Assert.Contains(fragment, line, StringComparison.Ordinal);
        }

        Assert.DoesNotContain("   at ", result.Output, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", result.Output, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Start_ShortProbeIntervalAlone_StartsWithTimeoutShortenedToInterval()
    {
        // The harness sets a 2 s probe timeout; the default 5 s is what used to refuse a 1 s interval.
        await using var gateway = await GatewayHarness.StartAsync(
            [Fleets.Seller("d01")],
            new Dictionary<string, string?> { ["Probing:IntervalSeconds"] = "1", ["Probing:TimeoutSeconds"] = "5" });

        var probing = gateway.Services.GetRequiredService<IOptions<ProbingOptions>>().Value;
        using var purchase = await gateway.PurchaseAsync("short-interval-0001");

        Assert.Equal(TimeSpan.FromSeconds(1), probing.Timeout);
        Assert.Equal(HttpStatusCode.Created, purchase.StatusCode);
    }

    [Theory]
    [InlineData(15, 5, 5)]
    [InlineData(1, 5, 1)]
    [InlineData(2.5, 5, 2.5)]
    [InlineData(60, 60, 60)]
    public void Timeout_IntervalAndTimeout_IsTheShorterOfTheTwo(double intervalSeconds, double timeoutSeconds, double expectedSeconds)
    {
        var options = new ProbingOptions { IntervalSeconds = intervalSeconds, TimeoutSeconds = timeoutSeconds };

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), options.Timeout);
    }

    public void Dispose() => _directory.Delete(recursive: true);

    private static async Task<ExternalTool.Result> RunGatewayAsync(params string[] arguments)
    {
        var gateway = typeof(Program).Assembly.Location;
        try
        {
            return await ExternalTool.RunAsync(
                "dotnet", [gateway, .. arguments], TimeSpan.FromSeconds(60), "The .NET SDK runs the tests, so this cannot happen.", Path.GetDirectoryName(gateway));
        }
        catch (TimeoutException ex)
        {
            throw new TimeoutException("The gateway kept running with a value out of range.", ex);
        }
    }
}
