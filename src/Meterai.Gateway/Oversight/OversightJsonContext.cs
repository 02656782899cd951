using System.Text.Json;
using System.Text.Json.Serialization;

namespace Meterai.Gateway.Oversight;

/// <summary>Source-generated JSON for flags, audits and reports.</summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
[JsonSerializable(typeof(FlagEvidence))]
[JsonSerializable(typeof(IReadOnlyList<FlagView>))]
[JsonSerializable(typeof(IReadOnlyList<DistributorOversightView>))]
[JsonSerializable(typeof(AuditResult))]
[JsonSerializable(typeof(OversightReport))]
[JsonSerializable(typeof(IReadOnlyList<ReportSummary>))]
internal sealed partial class OversightJsonContext : JsonSerializerContext;
