using Meterai.Gateway.Purchases;
using Meterai.Gateway.Reconciliation;
using Microsoft.Extensions.Configuration;

namespace Meterai.Gateway.Tests.Reconciliation;

public sealed class ReconciliationOptionsTests
{
    [Fact]
    public void Defaults_Always_MatchTheSpecAndAreValid()
    {
        var options = new ReconciliationOptions();

        Assert.Equal(TimeSpan.FromSeconds(60), options.Interval);
        Assert.Equal(TimeSpan.FromMinutes(30), options.DeliveryDeadline);
        Assert.Equal([0d, 30, 60, 120, 300, 600], options.Backoff);
        Assert.Equal(200, options.BatchSize);
        Assert.Null(options.Problem());
    }

    [Theory]
    [InlineData(0, 0)]
    [InlineData(1, 30)]
    [InlineData(5, 600)]
    [InlineData(9, 600)]
    public void BackoffAfter_Checks_FollowsScheduleThenRepeatsLast(int checks, int expectedSeconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), new ReconciliationOptions().BackoffAfter(checks));
    }

    [Fact]
    public void Bind_ConfiguredBackoff_ReplacesDefaultInsteadOfAppending()
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Reconciliation:BackoffSeconds:0"] = "10",
            ["Reconciliation:BackoffSeconds:1"] = "20",
            ["Reconciliation:DeliveryDeadlineMinutes"] = "45",
        }).Build();

        var options = configuration.ReadReconciliationOptions();

        Assert.Equal([10d, 20], options.Backoff);
        Assert.Equal(TimeSpan.FromMinutes(45), options.DeliveryDeadline);
    }

    [Theory]
    [InlineData("IntervalSeconds", "0")]
    [InlineData("DeliveryDeadlineMinutes", "-1")]
    [InlineData("BatchSize", "0")]
    [InlineData("MaxParallelism", "0")]
    [InlineData("BackoffSeconds:0", "-5")]
    public void Problem_InvalidSetting_Reported(string key, string value)
    {
        var configuration = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Reconciliation:" + key] = value }).Build();

        Assert.NotNull(configuration.ReadReconciliationOptions().Problem());
    }

    [Fact]
    public void RequestLifetime_DefaultPurchasing_CoversBudgetAttemptAndLookUps()
    {
        // 2 × 20 s budget + 10 s attempt + 3 look-ups × 2 s + 2 pauses × 0.2 s.
        Assert.Equal(TimeSpan.FromSeconds(56.4), ReconciliationOptions.RequestLifetime(new PurchasingOptions()));
    }
}
