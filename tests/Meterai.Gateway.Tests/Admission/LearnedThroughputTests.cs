using Meterai.Gateway.Admission;
using Meterai.Gateway.Capacity;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Purchases;
using Microsoft.Extensions.Options;

namespace Meterai.Gateway.Tests.Admission;

public sealed class LearnedThroughputTests
{
    private sealed class Throughput(double perSecond) : IFleetThroughput
    {
        public double OrdersPerSecond => perSecond;
    }

    [Theory]
    [InlineData(10, 29, 3)]
    [InlineData(40, 29, 1)]
    [InlineData(5, 29, 6)]
    public void RetryAfterSeconds_LearnedFleetSpeed_IsTheTimeToDrainTheQueueAtThatSpeed(double perSecond, int queued, int expected)
    {
        var admission = new AdmissionControl(Options.Create(new AdmissionOptions()), new FakeTimeProvider(), new Throughput(perSecond));

        Assert.Equal(expected, admission.RetryAfterSeconds(queued));
    }

    [Fact]
    public void OrdersPerSecond_LearnedLimitsOverMeasuredLatency_SumsRoutableDistributors()
    {
        var (time, fleet) = Fleet();
        foreach (var distributor in fleet.All)
        {
            // A 429 ends slow start: the limit, halved to 2, is what the estimate counts on from then on.
            distributor.RecordCapacity(new CapacitySample(time.GetTimestamp(), TimeSpan.FromMilliseconds(100), CapacitySignal.Overloaded, 4));
            distributor.RecordCapacity(new CapacitySample(time.GetTimestamp(), TimeSpan.FromMilliseconds(100), CapacitySignal.Answered, 1));
        }

        fleet.All[1].SetStock(0);

        // d01: 2 orders at once, 100 ms each = 20 a second; d02 is sold out and drains nothing.
        Assert.Equal(20, new FleetThroughput(fleet).OrdersPerSecond, precision: 6);
    }

    [Fact]
    public void OrdersPerSecond_LimitStillInSlowStart_CountsTheCeilingItDoublesTowards()
    {
        // A cold gateway's limit of 4 doubles every round trip up to 32: estimated at 4, the queue refused
        // applicants wait_too_long that the same distributor served a moment later (issue 27).
        var (time, fleet) = Fleet();
        fleet.All[0].RecordCapacity(new CapacitySample(time.GetTimestamp(), TimeSpan.FromMilliseconds(100), CapacitySignal.Answered, 1));
        fleet.All[1].SetStock(0);

        Assert.Equal(4, fleet.All[0].ConcurrencyLimit);
        Assert.Equal(320, new FleetThroughput(fleet).OrdersPerSecond, precision: 6);
    }

    private static (FakeTimeProvider Time, DistributorFleet Fleet) Fleet()
    {
        var time = new FakeTimeProvider();
        var options = Options.Create(new CapacityOptions { InitialLimit = 4 });
        var limits = new ConcurrencyLimits([new GradientLimitAlgorithm(options, time)], options);
        var fleet = new DistributorFleet(limits);
        fleet.Load([new("d01", "d01", new Uri("http://d01.example/"), null, 32), new("d02", "d02", new Uri("http://d02.example/"), null, 32)], isDemo: false);
        return (time, fleet);
    }
}
