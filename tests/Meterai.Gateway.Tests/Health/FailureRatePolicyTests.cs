using Meterai.Gateway.Health;
using Microsoft.AspNetCore.Http;
using Meterai.Gateway.Tests.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;
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

    private static DefaultHttpContext Answer(int status, ForwarderError error = ForwarderError.None)
    {
        var context = new DefaultHttpContext();
        context.Response.StatusCode = status;
        if (error != ForwarderError.None)
        {
            context.Features.Set<IForwarderErrorFeature>(new FakeForwarderError(error));
        }

        return context;
    }

    private void Proxied(int count, int status, ForwarderError error = ForwarderError.None, DestinationState? destination = null)
    {
        for (var i = 0; i < count; i++)
        {
            _policy.RequestProxied(Answer(status, error), _cluster, destination ?? _destination);
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
            var context = Answer(201);
            var attempt = new Meterai.Gateway.Purchases.PurchaseAttemptFeature(new Meterai.Gateway.Ledger.PurchaseTry("pur_x", 0), [], quantity: 1);
            attempt.Begin(1);
            attempt.Status = 201;
            attempt.Body = """{"status":"issued","quantity":1,"amount":10000,"serials":["MT-1"]}"""u8.ToArray(); // no orderId
            context.Features.Set(attempt);
            _policy.RequestProxied(context, _cluster, _destination);
        }

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
                policy.RequestProxied(FailureRatePolicyTests.Answer(status), _cluster, _destination);
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
    [InlineData(ForwarderError.Request, 502)]
    [InlineData(ForwarderError.RequestTimedOut, 504)]
    [InlineData(ForwarderError.ResponseBodyDestination, 200)]
    [InlineData(ForwarderError.ResponseHeaders, 502)]
    public void RequestProxied_FiveTransportErrors_MarkUnhealthy(ForwarderError error, int status)
    {
        Proxied(5, status, error);

        Assert.Single(_updater.Calls);
    }

    [Theory]
    [InlineData(503, ForwarderError.None)]
    [InlineData(429, ForwarderError.None)]
    [InlineData(504, ForwarderError.RequestTimedOut)]
    public void RequestProxied_OverloadWhileOtherOrdersInFlight_IsLeftToTheConcurrencyLimit(int status, ForwarderError error)
    {
        for (var i = 0; i < 20; i++)
        {
            var context = Answer(status, error);
            context.Features.Set(new Meterai.Gateway.Purchases.PurchaseAttemptFeature(new Meterai.Gateway.Ledger.PurchaseTry("pur_x", 0), [], quantity: 1) { InFlightAtSend = 3 });
            _policy.RequestProxied(context, _cluster, _destination);
        }

        Assert.Empty(_updater.Calls);
    }

    [Fact]
    public void RequestProxied_500sWhileOtherOrdersInFlight_StillMarkUnhealthy()
    {
        for (var i = 0; i < 5; i++)
        {
            var context = Answer(500);
            context.Features.Set(new Meterai.Gateway.Purchases.PurchaseAttemptFeature(new Meterai.Gateway.Ledger.PurchaseTry("pur_x", 0), [], quantity: 1) { InFlightAtSend = 3 });
            _policy.RequestProxied(context, _cluster, _destination);
        }

        Assert.Single(_updater.Calls);
    }

    [Theory]
    [InlineData(ForwarderError.RequestCanceled)]
    [InlineData(ForwarderError.RequestBodyCanceled)]
    [InlineData(ForwarderError.RequestBodyClient)]
    [InlineData(ForwarderError.ResponseBodyCanceled)]
    [InlineData(ForwarderError.ResponseBodyClient)]
    public void RequestProxied_ClientCancelErrors_AreIgnored(ForwarderError error)
    {
        Proxied(20, 502, error);

        Assert.Empty(_updater.Calls);
    }

    [Fact]
    public void RequestProxied_ClientCancelsBetweenFailures_DoNotDiluteTheRate()
    {
        // Counted as successes, the cancels would keep the rate at 5 of 15, under the threshold.
        Proxied(1, 500);
        Proxied(10, 200, ForwarderError.RequestCanceled);
        Proxied(4, 500);

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
    [InlineData(500, ForwarderError.None, true)]
    [InlineData(599, ForwarderError.None, true)]
    [InlineData(499, ForwarderError.None, true)]
    [InlineData(403, ForwarderError.None, true)]
    [InlineData(200, ForwarderError.None, true)]
    [InlineData(201, ForwarderError.None, false)]
    [InlineData(409, ForwarderError.None, false)]
    [InlineData(400, ForwarderError.None, false)]
    [InlineData(201, ForwarderError.Request, true)]
    public void TryClassify_Answer_ReportsFailure(int status, ForwarderError error, bool expectedFailed)
    {
        Assert.True(FailureRatePolicy.TryClassify(Answer(status, error), out var failed));

        Assert.Equal(expectedFailed, failed);
    }

    [Fact]
    public void TryClassify_ClientCanceled_ReturnsFalse()
    {
        Assert.False(FailureRatePolicy.TryClassify(Answer(502, ForwarderError.RequestCanceled), out _));
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

    private sealed class FakeForwarderError(ForwarderError error) : IForwarderErrorFeature
    {
        public ForwarderError Error { get; } = error;

        public Exception? Exception { get; } = error == ForwarderError.None ? null : new HttpRequestException("proxy error");
    }
}
