using Meterai.Gateway.Admission;

namespace Meterai.Gateway.Tests.Admission;

public sealed class AdmissionOptionsTests
{
    [Fact]
    public void WaitLimit_NearFreeDistributor_IsTheFloorNotAFractionOfAMillisecond()
    {
        // nginx's canned answer: 0.3 ms as the gateway measures it. One service time would let about
        // one applicant wait and refuse the rest while the distributor is idle.
        var limit = new AdmissionOptions().WaitLimit(TimeSpan.FromMilliseconds(0.3));

        Assert.Equal(TimeSpan.FromMilliseconds(50), limit);
    }

    [Theory]
    [InlineData(100, 100)]
    [InlineData(2_000, 2_000)]
    [InlineData(60_000, 5_000)]
    public void WaitLimit_SlowerDistributors_AreServiceTimesUpToMaxWait(double serviceMs, double expectedMs)
    {
        var limit = new AdmissionOptions().WaitLimit(TimeSpan.FromMilliseconds(serviceMs));

        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), limit);
    }

    [Fact]
    public void WaitLimit_FloorAboveMaxWait_NeverPassesMaxWait()
    {
        var options = new AdmissionOptions { MinWaitSeconds = 10, MaxWaitSeconds = 2 };

        Assert.Equal(TimeSpan.FromSeconds(2), options.WaitLimit(TimeSpan.FromMilliseconds(1)));
        Assert.Equal(TimeSpan.FromSeconds(2), options.WaitLimit(TimeSpan.Zero));
    }

    [Theory]
    [InlineData(0.1, 5, 1.5)]
    [InlineData(3, 5, 3)]
    [InlineData(0.1, 1, 1)]
    public void TurnLimit_KeyBackInLine_WaitsAtLeastTurnHoldButNeverPastMaxWait(double limitSeconds, double maxWaitSeconds, double expectedSeconds)
    {
        var options = new AdmissionOptions { MaxWaitSeconds = maxWaitSeconds };

        Assert.Equal(TimeSpan.FromSeconds(expectedSeconds), options.TurnLimit(TimeSpan.FromSeconds(limitSeconds)));
    }
}
