using System.Text.Json;
using Meterai.Gateway.Kernel;
using Meterai.Gateway.Ledger;
using Meterai.Gateway.Purchases;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Meterai.Gateway.Apis;

internal static class PurchasesApi
{
    /// <summary>POST /api/purchases (one purchase: <see cref="PurchaseOrchestrator"/>) and GET /api/purchases/{purchaseId}.</summary>
    public static IEndpointRouteBuilder MapPurchasesApi(this IEndpointRouteBuilder app)
    {
        // A plain RequestDelegate: the orchestrator reads and validates the body itself, and answers problem+json naming the field.
        // Mapped on the path itself, not as the group's "" child, so its route pattern (a metric label) is the path exactly.
        var orchestrator = app.ServiceProvider.GetRequiredService<PurchaseOrchestrator>();
        app.MapPost(Routing.GatewayProxy.PurchasePath, (RequestDelegate)orchestrator.InvokeAsync).WithTags("Purchases");
        app.MapGroup(Routing.GatewayProxy.PurchasePath)
            .WithTags("Purchases")
            .MapGet("/{purchaseId}", GetPurchaseAsync)
            .WithName("GetPurchase")
            .ProducesProblem(StatusCodes.Status404NotFound);
        return app;
    }

    internal static async Task<Results<Ok<PurchaseView>, ProblemHttpResult>> GetPurchaseAsync(
        string purchaseId, PurchaseLedger ledger, CancellationToken cancellationToken)
    {
        var record = PurchaseView.IsWellFormedId(purchaseId)
            ? await ledger.FindAsync(purchaseId, cancellationToken)
            : null;

        // A purchase that nobody could take, and that the applicant was never told about, does not exist for them.
        if (record is null || (record.Status == PurchaseStatus.Unavailable && record.ResponseStatus is null))
        {
            return TypedResults.Problem(
                detail: $"No purchase has the id '{purchaseId}'.",
                statusCode: StatusCodes.Status404NotFound,
                title: "Purchase not found",
                type: PurchaseAnswers.ProblemBase + "purchase-not-found");
        }

        return TypedResults.Ok(ToView(record));
    }

    private static PurchaseView ToView(PurchaseRecord record) => PurchaseView.Of(
        record.PurchaseId,
        record.Status switch
        {
            PurchaseStatus.InProgress => PurchaseStatus.Pending,

            // Answered 202, then proved to have no order at the distributor: nothing was charged, and it did not happen.
            PurchaseStatus.Unavailable => PurchaseStatus.Failed,
            _ => record.Status,
        },
        record.DistributorId,
        record.OrderId,
        record.Quantity,
        record.Amount,
        record.Serials is null ? [] : JsonSerializer.Deserialize(record.Serials, KernelJsonContext.Default.IReadOnlyListString));
}
