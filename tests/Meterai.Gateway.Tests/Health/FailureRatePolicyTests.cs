using System.Text;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Health;
using Meterai.Gateway.Purchases;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Extensions.Logging.Abstractions;
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
        _policy = new FailureRatePolicy(_updater, Options.Create(_options), _time, NullLogger<FailureRatePolicy>.Instance);
    }

    /// <summary>
    /// A distributor's answer, or with a failure and no status its absence. A 201/202 carries a valid
    /// order for a quantity of 1 and a 409 names out_of_stock, unless <paramref name="body"/> says otherwise.
    /// </summary>
    private static AttemptResult Answer(int? status, AttemptFailure failure = AttemptFailure.None, string? body = null) =>
        failure == AttemptFailure.None && status is { } answered
            ? AttemptResult.Answered(answered, Encoding.UTF8.GetBytes(body ?? BodyOf(answered)), 1, 2, 3, 4)
            : AttemptResult.Failed(failure, 1, 2, 0, 4, status);

    private static string BodyOf(int status) => status switch
    {
        201 => """{"orderId":"o1","status":"issued","quantity":1,"amount":10000,"serials":["MT-1"]}""",
        202 => """{"orderId":"o1","status":"pending","quantity":1,"amount":10000}""",
        409 => """{"error":"out_of_stock"}""",
        _ => "",
    };

    /// <summary>Ambiguous as the purchase judges it, by the same rule (AttemptClassifier).</summary>
    private static bool Ambiguous(in AttemptResult result) =>
        AttemptClassifier.Classify(result, "pur_x", quantity: 1).Outcome == AttemptOutcome.Ambiguous;

    private static void Record(FailureRatePolicy policy, ClusterState cluster, DestinationState destination, AttemptResult result, int inFlight = 1) =>
        policy.Record(cluster, destination, result, inFlight, Ambiguous(result));

    private void Proxied(int count, int? status, AttemptFailure failure = AttemptFailure.None, DestinationState? destination = null, int inFlight = 1)
    {
        for (var i = 0; i < count; i++)
        {
            Record(_policy, _cluster, destination ?? _destination, Answer(status, failure), inFlight);
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
    [InlineData(422)]
    [InlineData(503)]
    public void RequestProxied_RefusalsWithNoSale_MarkUnhealthyAtTheThird(int status)
    {
        Proxied(2, status);
        Assert.Empty(_updater.Calls);

        Proxied(1, status);

        Assert.Equal(DestinationHealth.Unhealthy, Assert.Single(_updater.Calls).Health);
    }

    /// <summary>
    /// A distributor that charges and answers 403, a redirect or a 200 sends every applicant to a
    /// look-up: it is a failing distributor, and a 2xx other than 201/202 is no sale.
    /// </summary>
    [Theory]
    [InlineData(403)]
    [InlineData(404)]
    [InlineData(408)]
    [InlineData(302)]
    [InlineData(200)]
    [InlineData(204)]
    [InlineData(501)]
    public void RequestProxied_AmbiguousAnswers_MarkUnhealthyAsFailures(int status)
    {
        Proxied(4, status);
        Assert.Empty(_updater.Calls);

        Proxied(1, status);

        Assert.Equal(DestinationHealth.Unhealthy, Assert.Single(_updater.Calls).Health);
    }

    [Fact]
    public void RequestProxied_CreatedWithAnInvalidOrder_CountsAsFailureNotSale()
    {
        for (var i = 0; i < 5; i++)
        {
            // No orderId: the distributor took the money, but the order cannot be told apart.
            Record(_policy, _cluster, _destination, Answer(201, body: """{"status":"issued","quantity":1,"amount":10000,"serials":["MT-1"]}"""));
        }

        Assert.Single(_updater.Calls);
    }

    [Fact]
    public void RequestProxied_AnswersThatBrokeOffAfterA201_AreFailures()
    {
        // Unreadable is ambiguous: the order is looked up, and the distributor that cannot answer whole is blamed.
        Proxied(5, 201, AttemptFailure.AnswerUnreadable);

        Assert.Single(_updater.Calls);
    }

    [Fact]
    public void RequestProxied_RefusalAfterReactivation_MarksUnhealthyAgainAtOnce()
    {
        Proxied(3, 401);

        Proxied(1, 401);

        Assert.Equal(2, _updater.Calls.Count);
    }

    [Fact]
    public void RequestProxied_KeepsRefusingAcrossReactivations_OneLineNamingItThenOneWhenItSells()
    {
        using var logs = new CapturedLogs();
        using var loggers = LoggerFactory.Create(b => b.AddProvider(logs));
        var policy = new FailureRatePolicy(_updater, Options.Create(_options), _time, loggers.CreateLogger<FailureRatePolicy>());
        void Answer(int count, int status)
        {
            for (var i = 0; i < count; i++)
            {
                Record(policy, _cluster, _destination, FailureRatePolicyTests.Answer(status));
            }
        }

        Answer(3, 503);
        Answer(1, 503);
        Answer(1, 503);
        Assert.Equal(3, _updater.Calls.Count);

        var first = Assert.Single(logs.Lines);
        Assert.Contains("Distributor d01 taken out of rotation", first, StringComparison.Ordinal);

        Answer(1, 201);
        Assert.Equal(2, logs.Lines.Count);
        Assert.Contains("Distributor d01 sells again", logs.Lines.Last(), StringComparison.Ordinal);

        Answer(5, 201);
        Assert.Equal(2, logs.Lines.Count);
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
        Proxied(3, 201);
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
    [InlineData(500, AttemptFailure.None, true, false, false)]
    [InlineData(599, AttemptFailure.None, true, false, false)]
    [InlineData(499, AttemptFailure.None, true, false, false)]
    [InlineData(403, AttemptFailure.None, true, false, false)]
    [InlineData(200, AttemptFailure.None, true, false, false)]
    [InlineData(201, AttemptFailure.None, false, false, true)]
    [InlineData(202, AttemptFailure.None, false, false, true)]
    [InlineData(409, AttemptFailure.None, false, false, false)]
    [InlineData(400, AttemptFailure.None, false, true, false)]
    [InlineData(503, AttemptFailure.None, true, true, false)]
    [InlineData(null, AttemptFailure.Dropped, true, false, false)]
    [InlineData(null, AttemptFailure.NeverConnected, true, false, false)]
    [InlineData(201, AttemptFailure.AnswerUnreadable, true, false, false)]
    [InlineData(502, AttemptFailure.AnswerUnreadable, true, false, false)]
    public void TryJudge_Answer_FailedRefusedOrSold(int? status, AttemptFailure failure, bool failed, bool refused, bool sold)
    {
        var result = Answer(status, failure);

        Assert.True(FailureRatePolicy.TryJudge(result, inFlightAtSend: 1, Ambiguous(result), out var answer));

        Assert.Equal(new FailureRatePolicy.Verdict(failed, refused, sold), answer);
    }

    [Fact]
    public void TryJudge_Overloaded_ReturnsFalse()
    {
        Assert.False(FailureRatePolicy.TryJudge(Answer(429), inFlightAtSend: 1, ambiguous: false, out _));
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
