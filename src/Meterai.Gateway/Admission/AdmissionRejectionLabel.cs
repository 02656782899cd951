using Meterai.Gateway.Observability;

namespace Meterai.Gateway.Admission;

/// <summary>An admission refusal as its <see cref="AdmissionRejections"/> metric label: admission knows its reasons, the metrics only their labels.</summary>
internal static class AdmissionRejectionLabel
{
    public static string Of(AdmissionRejectionReason reason) => reason switch
    {
        AdmissionRejectionReason.QueueFull => AdmissionRejections.QueueFull,
        AdmissionRejectionReason.WaitTooLong => AdmissionRejections.WaitTooLong,
        _ => AdmissionRejections.WaitTimedOut,
    };
}
