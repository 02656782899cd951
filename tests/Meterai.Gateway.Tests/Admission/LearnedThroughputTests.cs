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
        var time = new FakeTimeProvider();
        var options = Options.Create(new CapacityOptions { InitialLimit = 4 });
        var limits = new ConcurrencyLimits([new GradientLimitAlgorithm(options, time)], options);
        var fleet = new DistributorFleet(limits);
        fleet.Load([new("d01", "d01", new Uri("http://d01.example/"), null, 32), new("d02", "d02", new Uri("http://d02.example/"), null, 32)], isDemo: false);
        foreach (var distributor in fleet.All)
        {
            distributor.RecordCapacity(new CapacitySample(time.GetTimestamp(), TimeSpan.FromMilliseconds(100), CapacitySignal.Answered, 1));
        }

        fleet.All[1].SetStock(0);

        // d01: 4 orders at once, 100 ms each = 40 a second; d02 is sold out and drains nothing.
        Assert.Equal(40, new FleetThroughput(fleet).OrdersPerSecond, precision: 6);
    }
}
