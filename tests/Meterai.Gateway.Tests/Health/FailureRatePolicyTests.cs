using Meterai.Gateway.Distributors;
using Meterai.Gateway.Health;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Health;
using Yarp.ReverseProxy.Model;

namespace Meterai.Gateway.Tests.Health;

public sealed class FailureRatePolicyTests
{
    private readonly RecordingHealthUpdater _updater = new();
    private readonly FakeTimeProvider _time = new(new DateTimeOffset(2024, 9, 1, 1, 0, 0, TimeSpan.Zero));
    private readonly PassiveHealthOptions _options = new();
    private readonly ClusterState _cluster = new("distributors");
    private readonly DestinationState _destination = new("d01");
    private readonly FailureRatePolicy _policy;

    public FailureRatePolicyTests()
    {
        _policy = new FailureRatePolicy(_updater, Options.Create(_options), _time);
    }

    /// <summary>A distributor's answer, or with a failure and no status its absence.</summary>
    private static AttemptResult Answer(int? status, AttemptFailure failure = AttemptFailure.None) =>
        failure == AttemptFailure.None && status is { } answered
            ? AttemptResult.Answered(answered, [], 1, 2, 3, 4)
            : AttemptResult.Failed(failure, 1, 2, 0, 4, status);

    private void Proxied(int count, int? status, AttemptFailure failure = AttemptFailure.None, DestinationState? destination = null, int inFlight = 1)
    {
        for (var i = 0; i < count; i++)
        {
            _policy.Record(_cluster, destination ?? _destination, Answer(status, failure), inFlight);
        }
    }

    [Fact]
    public void RequestProxied_FiveConsecutive500s_MarksUnhealthyOnce()
    {
        Proxied(5, 500);

        var call = Assert.Single(_updater.Calls);
        Assert.Same(_cluster, call.Cluster);
        Assert.Same(_destination, call.Destination);
        Assert.Equal(DestinationHealth.Unhealthy, call.Health);
        Assert.Equal(_options.ReactivationPeriod, call.ReactivationPeriod);
    }

    [Fact]
    public void RequestProxied_Four500s_DoesNotMarkUnhealthy()
    {
        Proxied(4, 500);

        Assert.Empty(_updater.Calls);
    }

    [Fact]
    public void RequestProxied_FifthFailureAfterMark_StartsCountingAfresh()
    {
        Proxied(5, 500);

        Proxied(4, 500);
        Assert.Single(_updater.Calls);

        Proxied(1, 500);
        Assert.Equal(2, _updater.Calls.Count);
    }

    [Fact]
    public void RequestProxied_AllSuccesses_NeverMarksUnhealthy()
    {
        Proxied(50, 200);
        Proxied(50, 201);
        Proxied(50, 202);

        Assert.Empty(_updater.Calls);
    }

    [Theory]
    [InlineData(429)]
    [InlineData(409)]
    public void RequestProxied_SoldOutOrOverloadedStatuses_NeverMarkUnhealthy(int status)
    {
        Proxied(50, status);

        Assert.Empty(_updater.Calls);
    }

    [Theory]
    [InlineData(400)]
    [InlineData(401)]
    [InlineData(403)]
    [InlineData(422)]
    [InlineData(503)]
    public void RequestProxied_RefusalsWithNoSale_MarkUnhealthyAtTheThird(int status)
    {
        Proxied(2, status);
        Assert.Empty(_updater.Calls);

        Proxied(1, status);

        Assert.Equal(DestinationHealth.Unhealthy, Assert.Single(_updater.Calls).Health);
    }

    [Fact]
    public void RequestProxied_RefusalAfterReactivation_MarksUnhealthyAgainAtOnce()
    {
        Proxied(3, 401);

        Proxied(1, 401);

        Assert.Equal(2, _updater.Calls.Count);
    }

    [Fact]
    public void RequestProxied_RefusalsAfterTheWindowOfASale_MarkUnhealthy()
    {
        Proxied(1, 201);
        Proxied(7, 401);
        Assert.Empty(_updater.Calls);

        _time.Advance(_options.Window);
        Proxied(3, 401);

        Assert.Single(_updater.Calls);
    }

    [Fact]
    public void RequestProxied_SaleBetweenRefusals_NeverMarksUnhealthy()
    {
        for (var i = 0; i < 20; i++)
        {
            Proxied(2, 422);
            Proxied(1, 201);
        }

        Assert.Empty(_updater.Calls);
    }

    [Fact]
    public void RequestProxied_429sBetweenFailures_DiluteTheRate()
    {
        Proxied(2, 500);
        Proxied(4, 429);
        Proxied(1, 500);

        Assert.Empty(_updater.Calls);
    }

    [Fact]
    public void RequestProxied_HalfFailed_MarksUnhealthyAtThreshold()
    {
        Proxied(3, 200);
        Proxied(2, 503);
        Assert.Empty(_updater.Calls);

        Proxied(1, 503);

        Assert.Single(_updater.Calls);
    }

    [Theory]
    [InlineData(AttemptFailure.NeverConnected)]
    [InlineData(AttemptFailure.TimedOut)]
    [InlineData(AttemptFailure.Dropped)]
    public void RequestProxied_FiveTransportErrors_MarkUnhealthy(AttemptFailure failure)
    {
        Proxied(5, null, failure);

        Assert.Single(_updater.Calls);
    }

    [Fact]
    public void RequestProxied_AnswersThatBrokeOffAfterA201_AreNotFailures()
    {
        // Judged by their status, as the distributor answered it: the order is looked up, not the distributor blamed.
        Proxied(10, 201, AttemptFailure.AnswerUnreadable);

        Assert.Empty(_updater.Calls);
    }

    [Theory]
    [InlineData(503, AttemptFailure.None)]
    [InlineData(429, AttemptFailure.None)]
    [InlineData(null, AttemptFailure.TimedOut)]
    public void RequestProxied_OverloadWhileOtherOrdersInFlight_IsLeftToTheConcurrencyLimit(int? status, AttemptFailure failure)
    {
        Proxied(20, status, failure, inFlight: 3);

        Assert.Empty(_updater.Calls);
    }

    [Fact]
    public void RequestProxied_500sWhileOtherOrdersInFlight_StillMarkUnhealthy()
    {
        Proxied(5, 500, inFlight: 3);

        Assert.Single(_updater.Calls);
    }

    [Fact]
    public void RequestProxied_TimeoutsOfALoneOrder_MarkUnhealthy()
    {
        Proxied(5, null, AttemptFailure.TimedOut, inFlight: 1);

        Assert.Single(_updater.Calls);
    }

    [Fact]
    public void RequestProxied_FailuresOlderThanWindow_AreForgotten()
    {
        Proxied(4, 500);

        _time.Advance(_options.Window);
        Proxied(1, 500);

        Assert.Empty(_updater.Calls);
        Proxied(3, 500);
        Assert.Empty(_updater.Calls);
        Proxied(1, 500);
        Assert.Single(_updater.Calls);
    }

    [Fact]
    public void RequestProxied_FailuresWithinWindow_AreKept()
    {
        Proxied(4, 500);

        _time.Advance(_options.Window - TimeSpan.FromMilliseconds(1));
        Proxied(1, 500);

        Assert.Single(_updater.Calls);
    }

    [Fact]
    public void RequestProxied_FailuresAtDifferentDestinations_CountedSeparately()
    {
        var other = new DestinationState("d02");

        Proxied(4, 500);
        Proxied(4, 500, destination: other);
        Assert.Empty(_updater.Calls);

        Proxied(1, 500, destination: other);

        Assert.Same(other, Assert.Single(_updater.Calls).Destination);
    }

    [Fact]
    public void RequestProxied_CustomOptions_AreHonoured()
    {
        _options.MinimumRequests = 2;
        _options.FailureRateThreshold = 1.0;
        _options.ReactivationSeconds = 3;

        Proxied(1, 500);
        Assert.Empty(_updater.Calls);
        Proxied(1, 500);

        Assert.Equal(TimeSpan.FromSeconds(3), Assert.Single(_updater.Calls).ReactivationPeriod);
    }

    [Theory]
    [InlineData(500, AttemptFailure.None, true)]
    [InlineData(599, AttemptFailure.None, true)]
    [InlineData(499, AttemptFailure.None, false)]
    [InlineData(200, AttemptFailure.None, false)]
    [InlineData(null, AttemptFailure.Dropped, true)]
    [InlineData(null, AttemptFailure.NeverConnected, true)]
    [InlineData(502, AttemptFailure.AnswerUnreadable, true)]
    public void TryClassify_Answer_ReportsFailure(int? status, AttemptFailure failure, bool expectedFailed)
    {
        Assert.True(FailureRatePolicy.TryClassify(Answer(status, failure), inFlightAtSend: 1, out var failed));

        Assert.Equal(expectedFailed, failed);
    }

    [Fact]
    public void TryClassify_Overloaded_ReturnsFalse()
    {
        Assert.False(FailureRatePolicy.TryClassify(Answer(429), inFlightAtSend: 1, out _));
    }

    private sealed record PassiveCall(ClusterState Cluster, DestinationState Destination, DestinationHealth Health, TimeSpan ReactivationPeriod);

    private sealed class RecordingHealthUpdater : IDestinationHealthUpdater
    {
        public List<PassiveCall> Calls { get; } = [];

        public void SetActive(ClusterState cluster, IEnumerable<NewActiveDestinationHealth> newHealthStates) =>
            throw new InvalidOperationException("passive health must not set active health");

        public void SetPassive(ClusterState cluster, DestinationState destination, DestinationHealth newHealth, TimeSpan reactivationPeriod) =>
            Calls.Add(new PassiveCall(cluster, destination, newHealth, reactivationPeriod));
    }
}
