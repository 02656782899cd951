namespace Meterai.Gateway.Admission;

/// <summary>
/// How long a new applicant would wait before their purchase is taken, for the public status page.
/// <see cref="AdmissionControl"/> implements it and registers itself with <c>AddSingleton&lt;IWaitEstimate, ...&gt;</c>;
/// the last registration wins over <see cref="NoWaitEstimate"/>.
/// </summary>
internal interface IWaitEstimate
{
    TimeSpan EstimatedWait { get; }
}

/// <summary>No admission queue yet: nobody waits.</summary>
internal sealed class NoWaitEstimate : IWaitEstimate
{
    public TimeSpan EstimatedWait => TimeSpan.Zero;
}
