using Meterai.Gateway.Admission;

namespace Meterai.Gateway.Tests.Admission;

public sealed class AdmissionOptionsTests
{
    [Fact]
    public void WaitLimit_NearFreeDistributor_IsTheFloorNotAFractionOfAMillisecond()
    {
        // nginx's canned answer: 0.3 ms as the gateway measures it. One service time would let about
        // one applicant wait and refuse the rest while the distributor is idle; the floor also spans a
        // Retry-After's whole second, so a key back before its turn waits for it (issue 28).
        var limit = new AdmissionOptions().WaitLimit(TimeSpan.FromMilliseconds(0.3));

        Assert.Equal(TimeSpan.FromMilliseconds(1_500), limit);
    }

    [Theory]
    [InlineData(100, 1_500)]
    [InlineData(2_000, 2_000)]
    [InlineData(60_000, 5_000)]
    public void WaitLimit_SlowerDistributors_AreServiceTimesBetweenTheFloorAndMaxWait(double serviceMs, double expectedMs)
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
}
