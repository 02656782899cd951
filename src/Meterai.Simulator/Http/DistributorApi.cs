using System.Net;
using System.Text.Json;

namespace Meterai.Simulator;

/// <summary>The distributor HTTP API (docs: shared/spec/distributor-api.md) plus the /_sim control endpoints.</summary>
internal static class DistributorApi
{
    private const int MaxQuantity = 10;
    private const int MaxApplicantRefLength = 64;
    private const int MaxIdempotencyKeyLength = 256;

    public static WebApplication Build(SimulatedDistributor distributor, IPAddress address, int port)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            // Dozens of distributors in one process must not each watch appsettings files.
            Args = ["--hostBuilder:reloadConfigOnChange=false"],
            ApplicationName = typeof(DistributorApi).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(2));
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Listen(address, port);
        });

        var app = builder.Build();
        var stopping = app.Lifetime.ApplicationStopping;
        app.Use((context, next) => GuardAsync(context, next, distributor, stopping));

        app.MapGet("/health", context => WriteAsync(context, StatusCodes.Status200OK, new HealthResponse("ok")));
        app.MapGet("/stock", context => WriteAsync(context, StatusCodes.Status200OK, new StockResponse(
            distributor.Behavior.Idle == IdleMode.NoStock ? 0 : distributor.Stock, distributor.Options.UnitPrice)));
        app.MapPost("/orders", context => PlaceOrderAsync(context, distributor));
        app.MapGet("/orders/{orderId}", context => GetOrderByIdAsync(context, distributor));
        app.MapGet("/orders", context => GetOrderByKeyAsync(context, distributor));
        app.MapPost("/orders/{orderId}/refund", context => RefundAsync(context, distributor));
        app.MapGet("/_sim/state", context => WriteAsync(context, StatusCodes.Status200OK, distributor.GetState()));
        app.MapPut("/_sim/behavior", context => PatchBehaviorAsync(context, distributor));
        return app;
    }

    /// <summary>Latency, down/flapping and authentication apply to every request; the control endpoints skip the first two.</summary>
    private static async Task GuardAsync(HttpContext context, RequestDelegate next, SimulatedDistributor distributor, CancellationToken stopping)
    {
        // Delays end when the listener stops, so that going down is not held up by a hanging order.
        using var aborted = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        context.RequestAborted = aborted.Token;
        try
        {
            var control = context.Request.Path.StartsWithSegments("/_sim", StringComparison.Ordinal);
            if (!control)
            {
                await DelayAsync(distributor, distributor.Behavior.Latency, aborted.Token).ConfigureAwait(false);
                if (distributor.IsUnavailableNow())
                {
                    await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, new ErrorResponse("unavailable")).ConfigureAwait(false);
                    return;
                }
            }

            if (!distributor.IsAuthorized(context.Request.Headers.Authorization))
            {
                distributor.CountUnauthorized();
                context.Response.Headers.WWWAuthenticate = "Bearer";
                await WriteAsync(context, StatusCodes.Status401Unauthorized, new ErrorResponse("unauthorized")).ConfigureAwait(false);
                return;
            }

            await next(context).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (aborted.IsCancellationRequested)
        {
            // The caller left or the listener is going down: no answer, as from a real server.
            context.Abort();
        }
    }

    private static async Task PlaceOrderAsync(HttpContext context, SimulatedDistributor distributor)
    {
        var concurrency = distributor.EnterOrder();
        try
        {
            var options = distributor.Options;
            var behavior = distributor.Behavior;
            var ct = context.RequestAborted;
            var capacity = distributor.CurrentCapacity;
            if (concurrency > capacity)
            {
                distributor.CountPastCapacity();
            }

            var collapsed = concurrency > capacity * options.CollapseFactor;
            if (collapsed && behavior.OverloadFailure == OverloadFailure.Reject503)
            {
                distributor.CountOverloadRejection();
                Log.OverloadRejected(distributor.Logger, distributor.Id, concurrency);
                context.Response.Headers.RetryAfter = "1";
                await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, new ErrorResponse("overloaded")).ConfigureAwait(false);
                return;
            }

            string? key = context.Request.Headers["Idempotency-Key"];
            if (string.IsNullOrWhiteSpace(key) || key.Length > MaxIdempotencyKeyLength)
            {
                await BadRequestAsync(context, "missing_idempotency_key", $"The Idempotency-Key header is required (1..{MaxIdempotencyKeyLength} characters).").ConfigureAwait(false);
                return;
            }

            var request = await ReadAsync<OrderRequest>(context).ConfigureAwait(false);
            if (request is not { Quantity: >= 1 and <= MaxQuantity, ApplicantRef.Length: >= 1 and <= MaxApplicantRefLength })
            {
                await BadRequestAsync(context, "invalid_body", $"Expected {{\"quantity\": 1..{MaxQuantity}, \"applicantRef\": \"1..{MaxApplicantRefLength} characters\"}}.").ConfigureAwait(false);
                return;
            }

            if (behavior.Idle == IdleMode.RefuseOrders)
            {
                context.Response.Headers.RetryAfter = "30";
                await WriteAsync(context, StatusCodes.Status503ServiceUnavailable, new ErrorResponse("not_accepting_orders")).ConfigureAwait(false);
                return;
            }

            var placed = distributor.Book.Place(key, request.Quantity.Value, request.ApplicantRef, behavior);
            switch (placed.Outcome)
            {
                case PlaceOutcome.KeyReusedWithOtherBody:
                    await WriteAsync(context, StatusCodes.Status422UnprocessableEntity, new ErrorResponse("idempotency_key_reused", "This Idempotency-Key was used with another body.")).ConfigureAwait(false);
                    return;
                case PlaceOutcome.OutOfStock:
                    await WriteAsync(context, StatusCodes.Status409Conflict, new ErrorResponse("out_of_stock")).ConfigureAwait(false);
                    return;
            }

            var order = placed.Order!;

            // The order is charged before the answer is delayed: a caller that gives up still paid.
            var delay = collapsed
                ? options.HangTime
                : concurrency <= capacity
                    ? options.ServiceTime
                    : options.ServiceTime * Math.Pow((double)concurrency / capacity, 2);
            await DelayAsync(distributor, delay, ct).ConfigureAwait(false);

            if (placed.Outcome == PlaceOutcome.Created && placed.FailAfterCharge)
            {
                var answer = behavior.ChargeThenFailAnswer;
                Log.ChargedThenFailed(distributor.Logger, distributor.Id, order.OrderId, answer);
                switch (answer)
                {
                    case FailureAnswer.DropConnection:
                        context.Abort();
                        return;
                    case FailureAnswer.Status504:
                        await WriteAsync(context, StatusCodes.Status504GatewayTimeout, new ErrorResponse("upstream_timeout")).ConfigureAwait(false);
                        return;
                    default:
                        await WriteAsync(context, StatusCodes.Status500InternalServerError, new ErrorResponse("internal_error")).ConfigureAwait(false);
                        return;
                }
            }

            await WriteOrderAnswerAsync(context, distributor, order).ConfigureAwait(false);
        }
        finally
        {
            distributor.ExitOrder();
        }
    }

    /// <summary>201 issued, 202 pending; a replayed order that has since failed or been refunded answers 200 with the full order.</summary>
    private static Task WriteOrderAnswerAsync(HttpContext context, SimulatedDistributor distributor, OrderRecord order)
    {
        var status = order.StatusAt(distributor.Time.GetUtcNow());
        return status switch
        {
            OrderStatus.Issued => WriteAsync(context, StatusCodes.Status201Created, new IssuedOrderResponse(order.OrderId, status, order.Quantity, order.Amount, order.AllocatedSerials)),
            OrderStatus.Pending => WriteAsync(context, StatusCodes.Status202Accepted, new PendingOrderResponse(order.OrderId, status, order.Quantity, order.Amount)),
            _ => WriteAsync(context, StatusCodes.Status200OK, ToResponse(order, status)),
        };
    }

    private static Task GetOrderByIdAsync(HttpContext context, SimulatedDistributor distributor)
    {
        var orderId = (string?)context.Request.RouteValues["orderId"];
        var order = orderId is null ? null : distributor.Book.FindById(orderId);
        return WriteOrderOrNotFoundAsync(context, distributor, order);
    }

    private static Task GetOrderByKeyAsync(HttpContext context, SimulatedDistributor distributor)
    {
        string? key = context.Request.Query["idempotencyKey"];
        if (string.IsNullOrEmpty(key))
        {
            return BadRequestAsync(context, "missing_idempotency_key", "Query parameter idempotencyKey is required.");
        }

        return WriteOrderOrNotFoundAsync(context, distributor, distributor.Book.FindByKey(key));
    }

    private static Task WriteOrderOrNotFoundAsync(HttpContext context, SimulatedDistributor distributor, OrderRecord? order) =>
        order is null
            ? WriteAsync(context, StatusCodes.Status404NotFound, new ErrorResponse("not_found"))
            : WriteAsync(context, StatusCodes.Status200OK, ToResponse(order, order.StatusAt(distributor.Time.GetUtcNow())));

    private static Task RefundAsync(HttpContext context, SimulatedDistributor distributor)
    {
        var orderId = (string?)context.Request.RouteValues["orderId"] ?? "";
        var (outcome, order) = distributor.Book.Refund(orderId);
        return outcome switch
        {
            RefundOutcome.Refunded => WriteAsync(context, StatusCodes.Status200OK, new RefundResponse(order!.OrderId, OrderStatus.Refunded)),
            RefundOutcome.AlreadyIssued => WriteAsync(context, StatusCodes.Status409Conflict, new ErrorResponse("already_issued", "An issued e-Meterai is not refunded.")),
            _ => WriteAsync(context, StatusCodes.Status404NotFound, new ErrorResponse("not_found")),
        };
    }

    private static async Task PatchBehaviorAsync(HttpContext context, SimulatedDistributor distributor)
    {
        var patch = await ReadAsync<BehaviorPatch>(context).ConfigureAwait(false);
        if (patch is null)
        {
            await BadRequestAsync(context, "invalid_body", "Expected a JSON object with behaviour properties.").ConfigureAwait(false);
            return;
        }

        // Stopping the listener now could cut off this very answer: that switch waits until it is sent.
        var stopsListener = patch.Down == DownMode.RefuseConnections;
        try
        {
            (stopsListener ? patch with { Down = null } : patch).ApplyTo(distributor);
        }
        catch (ArgumentOutOfRangeException ex)
        {
            await BadRequestAsync(context, "invalid_value", ex.Message).ConfigureAwait(false);
            return;
        }

        if (stopsListener)
        {
            context.Response.OnCompleted(() =>
            {
                distributor.Behavior.Down = DownMode.RefuseConnections;
                return Task.CompletedTask;
            });
        }

        await WriteAsync(context, StatusCodes.Status200OK, distributor.GetState()).ConfigureAwait(false);
    }

    private static OrderResponse ToResponse(OrderRecord order, OrderStatus status) =>
        new(order.OrderId, status, order.Quantity, order.Amount, order.SerialsFor(status), order.IdempotencyKey);

    /// <summary>Null for a body that is not the expected JSON; the caller answers 400.</summary>
    private static async Task<T?> ReadAsync<T>(HttpContext context)
        where T : class
    {
        try
        {
            return await JsonSerializer.DeserializeAsync<T>(context.Request.Body, SimJson.Options, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static Task DelayAsync(SimulatedDistributor distributor, TimeSpan delay, CancellationToken ct) =>
        delay > TimeSpan.Zero ? Task.Delay(delay, distributor.Time, ct) : Task.CompletedTask;

    private static Task BadRequestAsync(HttpContext context, string error, string detail) =>
        WriteAsync(context, StatusCodes.Status400BadRequest, new ErrorResponse(error, detail));

    private static Task WriteAsync<T>(HttpContext context, int status, T body)
    {
        context.Response.StatusCode = status;
        return context.Response.WriteAsJsonAsync(body, SimJson.Options, context.RequestAborted);
    }
}
