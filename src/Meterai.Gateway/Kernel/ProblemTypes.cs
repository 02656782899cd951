namespace Meterai.Gateway.Kernel;

/// <summary>The problem+json <c>type</c> URIs (RFC 9457) every answer of the gateway shares.</summary>
internal static class ProblemTypes
{
    /// <summary>Every problem type is this prefix and a short name, e.g. <c>urn:meterai-gateway:problem:body-too-large</c>.</summary>
    public const string Base = "urn:meterai-gateway:problem:";
}
