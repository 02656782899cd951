using System.Text.Json;
using System.Text.Json.Serialization;

namespace Meterai.Gateway.Distributors;

/// <summary>Source-generated JSON for the distributors' answers: no reflection on the purchase path.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(DistributorOrder))]
[JsonSerializable(typeof(DistributorStock))]
internal sealed partial class DistributorJsonContext : JsonSerializerContext;
