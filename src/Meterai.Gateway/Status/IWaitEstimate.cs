namespace Meterai.Gateway.Status;

/// <summary>
/// How long a new applicant would wait before their purchase is taken. The admission queue
/// (a later issue) implements this and registers itself with <c>AddSingleton&lt;IWaitEstimate, ...&gt;</c>;
/// the last registration wins over <see cref="NoWaitEstimate"/>.
/// </summary>
public interface IWaitEstimate
{
    TimeSpan EstimatedWait { get; }
}

/// <summary>No admission queue yet: nobody waits.</summary>
internal sealed class NoWaitEstimate : IWaitEstimate
{
    public TimeSpan EstimatedWait => TimeSpan.Zero;
}
