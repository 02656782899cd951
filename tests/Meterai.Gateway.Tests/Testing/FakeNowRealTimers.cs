namespace Meterai.Gateway.Tests.Testing;

/// <summary>
/// The clock of tests that run whole parts over real sockets (a gateway, simulated distributors with service
/// time, call timeouts): "now" is a <see cref="FakeTimeProvider"/> the test advances, while timers, delays
/// and timestamps stay real, because a FakeTimeProvider's timers fire only on Advance and those parts would stall.
/// </summary>
internal sealed class FakeNowRealTimers(DateTimeOffset start) : TimeProvider
{
    public FakeNowRealTimers()
        : this(new DateTimeOffset(2024, 9, 1, 1, 0, 0, TimeSpan.Zero))
    {
    }

    /// <summary>The fake "now"; advancing it fires no timer of this provider.</summary>
    public FakeTimeProvider Now { get; } = new(start);

    public override DateTimeOffset GetUtcNow() => Now.GetUtcNow();

    public void Advance(TimeSpan by) => Now.Advance(by);
}
