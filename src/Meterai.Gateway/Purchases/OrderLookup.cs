using System.Text.Json;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Resilience;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using Polly.Timeout;

namespace Meterai.Gateway.Purchases;

/// <summary>
/// The one way the gateway asks a distributor about an order (GET /orders?idempotencyKey= or
/// GET /orders/{id}) and the one place its answer is checked (<see cref="OrderValidation"/>), for
/// the purchase path's ambiguous answers and for reconciliation alike. Each caller brings its
/// resilience: the purchase path a brief retry behind a per-distributor breaker
/// (<see cref="FindByKeyAsync"/>), reconciliation a bare timeout, because its backoff is the retry.
/// </summary>
internal sealed class OrderLookup
{
    private readonly DistributorClient _client;
    private readonly ResiliencePipelines _pipelines;

    public OrderLookup(DistributorClient client, ResiliencePipelines pipelines)
    {
        _client = client;
        _pipelines = pipelines;
    }

    /// <summary>The purchase path's look-up of an ambiguous answer, right away, retried briefly.</summary>
    public Task<LookupResult> FindByKeyAsync(DistributorEntry distributor, string purchaseId, int quantity, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(distributor);
        return LookUpAsync(distributor, new OrderQuery(purchaseId, quantity, KnownOrderId: null, ByKey: true), _pipelines.Get(ResiliencePipelines.OrderLookup, distributor.Id), cancellationToken);
    }

    /// <summary>Asks under <paramref name="pipeline"/>; never throws for what a distributor does, only for the caller's cancellation.</summary>
    /// <returns>Found with a validated order; NotFound when the distributor says none exists; Unknown otherwise.</returns>
    public async Task<LookupResult> LookUpAsync(DistributorEntry distributor, OrderQuery query, ResiliencePipeline pipeline, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pipeline);
        DistributorOrder? order;
        try
        {
            order = await pipeline.ExecuteAsync(
                static async (state, token) => state.Query.ByKey || state.Query.KnownOrderId is null
                    ? await state.Client.FindOrderByKeyAsync(state.Distributor, state.Query.PurchaseId, token)
                    : await state.Client.GetOrderAsync(state.Distributor, state.Query.KnownOrderId, token),
                (Client: _client, Distributor: distributor, Query: query),
                cancellationToken);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or BrokenCircuitException or JsonException
            || (ex is OperationCanceledException && !cancellationToken.IsCancellationRequested))
        {
            return new LookupResult(LookupKind.Unknown, Failure: ex);
        }

        if (order is null)
        {
            return LookupResult.NotFound;
        }

        return OrderValidation.Problem(order, query.PurchaseId, query.Quantity, query.KnownOrderId) is { } problem
            ? new LookupResult(LookupKind.Unknown, order, Problem: problem)
            : new LookupResult(LookupKind.Found, order);
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

/// <summary>What to ask a distributor about one purchase.</summary>
/// <param name="PurchaseId">The purchase id, which is the Idempotency-Key the distributor got.</param>
/// <param name="Quantity">The purchase's quantity, which an issued order's serials must match.</param>
/// <param name="KnownOrderId">The order id the distributor gave earlier; the found order must be it.</param>
/// <param name="ByKey">Look up by key even when an order id is known.</param>
internal sealed record OrderQuery(string PurchaseId, int Quantity, string? KnownOrderId, bool ByKey);

internal enum LookupKind
{
    Found,
    NotFound,
    Unknown,
}

/// <param name="Failure">Unknown because the call failed (the distributor did not answer usably).</param>
/// <param name="Problem">Unknown because the order it described fails <see cref="OrderValidation"/>.</param>
internal sealed record LookupResult(LookupKind Kind, DistributorOrder? Order = null, Exception? Failure = null, string? Problem = null)
{
    public static readonly LookupResult NotFound = new(LookupKind.NotFound);
    public static readonly LookupResult Unknown = new(LookupKind.Unknown);

    /// <summary>The found order; only when <see cref="Kind"/> is Found.</summary>
    public DistributorOrder? Usable => Kind == LookupKind.Found ? Order : null;
}
