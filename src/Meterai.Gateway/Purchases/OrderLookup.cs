using System.Text.Json;
using Meterai.Gateway.Distributors;
using Microsoft.Extensions.Options;
using Polly;
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
    private readonly ResiliencePipeline _pipeline;

    public OrderLookup(DistributorClient client, IOptions<PurchasingOptions> options, TimeProvider time)
    {
        _client = client;
        var settings = options.Value;
        var builder = new ResiliencePipelineBuilder { TimeProvider = time };
        if (settings.LookupRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                MaxRetryAttempts = settings.LookupRetries,
                Delay = settings.LookupRetryDelay,
                BackoffType = DelayBackoffType.Constant,
                ShouldHandle = new PredicateBuilder().Handle<HttpRequestException>().Handle<TimeoutRejectedException>(),
            });
        }

        _pipeline = builder.AddTimeout(settings.LookupTimeout).Build();
    }

    /// <returns>The order; null when the distributor says none exists; throws nothing the caller must handle.</returns>
    public async Task<LookupResult> FindByKeyAsync(DistributorEntry distributor, string idempotencyKey, CancellationToken cancellationToken)
    {
        try
        {
            var order = await _pipeline.ExecuteAsync(
                static async (state, token) => await state.Client.FindOrderByKeyAsync(state.Distributor, state.Key, token),
                (Client: _client, Distributor: distributor, Key: idempotencyKey),
                cancellationToken);
            return order is null ? LookupResult.NotFound : new LookupResult(LookupKind.Found, order);
        }
        catch (Exception ex) when (ex is HttpRequestException or TimeoutRejectedException or JsonException)
        {
            return LookupResult.Unknown;
        }
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
