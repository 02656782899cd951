using System.Text.Json;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Resilience;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Meterai.Gateway.Purchases;

/// <summary>
/// Resolves an ambiguous answer the way the distributor spec prescribes: GET /orders?idempotencyKey=
/// at the same distributor, right away, each try cut off by a Polly timeout and retried briefly.
/// </summary>
public sealed class OrderLookup
{
    private readonly DistributorClient _client;
    private readonly ResiliencePipelines _pipelines;

    public OrderLookup(DistributorClient client, ResiliencePipelines pipelines)
    {
        _client = client;
        _pipelines = pipelines;
    }

    /// <returns>The order; null when the distributor says none exists; throws nothing the caller must handle.</returns>
    public async Task<LookupResult> FindByKeyAsync(DistributorEntry distributor, string idempotencyKey, CancellationToken cancellationToken)
    {
        // One instance (and breaker) per distributor: one distributor's failing API must not stop look-ups at the others.
        var pipeline = _pipelines.Get(ResiliencePipelines.OrderLookup, distributor.Id);
        try
        {
            var order = await pipeline.ExecuteAsync(
                static async (state, token) => await state.Client.FindOrderByKeyAsync(state.Distributor, state.Key, token),
                (Client: _client, Distributor: distributor, Key: idempotencyKey),
                cancellationToken);
            return order is null ? LookupResult.NotFound : new LookupResult(LookupKind.Found, order);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or JsonException)
        {
            return LookupResult.Unknown;
        }
    }

    /// <summary>The shape of the order-lookup pipeline (registered in <c>AddPurchasing</c>).</summary>
    internal static void Configure(ResiliencePipelineBuilder builder, PurchasingOptions settings)
    {
        var transient = new PredicateBuilder().Handle<HttpRequestException>().Handle<TimeoutRejectedException>();

        // While a distributor's order API keeps failing, an ambiguous purchase is answered 202 at
        // once and left to reconciliation, instead of waiting out timeouts and retries every time.
        builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions
        {
            FailureRatio = 0.5,
            MinimumThroughput = 4,
            SamplingDuration = TimeSpan.FromSeconds(30),
            BreakDuration = TimeSpan.FromSeconds(15),
            ShouldHandle = transient,
        });
        if (settings.LookupRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = settings.LookupRetries,
                Delay = settings.LookupRetryDelay,
                BackoffType = DelayBackoffType.Constant,
                ShouldHandle = transient,
            });
        }

        builder.AddTimeout(settings.LookupTimeout);
    }
}

public enum LookupKind
{
    Found,
    NotFound,
    Unknown,
}

public sealed record LookupResult(LookupKind Kind, DistributorOrder? Order = null)
{
    public static readonly LookupResult NotFound = new(LookupKind.NotFound);
    public static readonly LookupResult Unknown = new(LookupKind.Unknown);
}
