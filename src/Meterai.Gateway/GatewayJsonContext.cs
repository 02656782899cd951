using System.Text.Json;
using System.Text.Json.Serialization;
using Meterai.Gateway.Distributors;
using Meterai.Gateway.Oversight;
using Meterai.Gateway.Purchases;

namespace Meterai.Gateway;

/// <summary>Source-generated JSON for every body the gateway reads or writes: no reflection on the purchase path.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(DistributorOrder))]
[JsonSerializable(typeof(DistributorStock))]
[JsonSerializable(typeof(PurchaseView))]
[JsonSerializable(typeof(IReadOnlyList<string>))]
[JsonSerializable(typeof(FlagEvidence))]
[JsonSerializable(typeof(IReadOnlyList<FlagView>))]
[JsonSerializable(typeof(IReadOnlyList<DistributorOversightView>))]
[JsonSerializable(typeof(AuditResult))]
[JsonSerializable(typeof(OversightReport))]
[JsonSerializable(typeof(IReadOnlyList<ReportSummary>))]
internal sealed partial class GatewayJsonContext : JsonSerializerContext;
