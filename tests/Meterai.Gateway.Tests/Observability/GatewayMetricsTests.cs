using Meterai.Gateway.Observability;
using Meterai.Gateway.Purchases;

namespace Meterai.Gateway.Tests.Observability;

public sealed class GatewayMetricsTests
{
    [Fact]
    public void AttemptResults_EveryAttemptOutcome_IsPreInitialised()
    {
        var ledgerNames = Enum.GetValues<AttemptOutcome>().Select(AttemptClassifier.LedgerName).Distinct().Order(StringComparer.Ordinal);

        Assert.Equal(ledgerNames, GatewayMetrics.AttemptResults.Order(StringComparer.Ordinal));
    }

    [Fact]
    public void AdmissionRejections_EveryQueueRefusal_HasAPreInitialisedReason()
    {
        var reasons = Enum.GetValues<Gateway.Admission.AdmissionRejectionReason>()
            .Where(r => r != Gateway.Admission.AdmissionRejectionReason.None)
            .Select(AdmissionRejections.From);

        Assert.All(reasons, r => Assert.Contains(r, AdmissionRejections.All));
    }
}
