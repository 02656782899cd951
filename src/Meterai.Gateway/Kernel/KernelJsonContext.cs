using System.Text.Json;
using System.Text.Json.Serialization;

namespace Meterai.Gateway.Kernel;

/// <summary>Source-generated JSON for the purchase view and serial lists; the host chains it with the features' contexts (GatewayDefaults).</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(PurchaseView))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
internal sealed partial class KernelJsonContext : JsonSerializerContext;
