using System.Text.Json;
using System.Text.Json.Serialization;

namespace Meterai.Gateway.Status;

/// <summary>GET /api/status (docs/api/gateway-api.md): can an applicant buy an e-Meterai now.</summary>
/// <param name="CanBuy">At least one distributor can sell now.</param>
/// <param name="SellingDistributors">Distributors that routing would offer an order to now.</param>
/// <param name="RegisteredDistributors">Distributors in the registry.</param>
/// <param name="EstimatedWaitSeconds">Seconds a new applicant would wait for its turn: the back of the line, what a newcomer's 503 says (rounded up); 0 with no line.</param>
/// <param name="UpdatedAt">When the newest probe ran; null before the first.</param>
internal sealed record StatusView(
    bool CanBuy,
    int SellingDistributors,
    int RegisteredDistributors,
    int EstimatedWaitSeconds,
    DateTimeOffset? UpdatedAt);

[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(StatusView))]
internal sealed partial class StatusJsonContext : JsonSerializerContext;
