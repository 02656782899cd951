using Meterai.Gateway.Distributors;
using Meterai.Gateway.Admission;
using Meterai.Gateway.Observability;

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
            .Select(AdmissionRejectionLabel.Of);

        Assert.All(reasons, r => Assert.Contains(r, AdmissionRejections.All));
    }
}
