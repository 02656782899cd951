namespace Meterai.Testing;

/// <summary>
/// A clock the test moves by hand (Microsoft.Extensions.TimeProvider.Testing is not on our package mirror),
/// shared by both test projects (tests/Shared is compiled into each).
/// Only "now" is manual: timers, and so Task.Delay of ServiceTime, still run on real time, which keeps
/// short service delays working while flapping and stuck-pending orders follow <see cref="Advance"/>.
/// </summary>
internal sealed class ManualTimeProvider(DateTimeOffset start) : TimeProvider
{
    private readonly Lock _gate = new();
    private DateTimeOffset _now = start;

    public ManualTimeProvider()
        : this(new DateTimeOffset(2024, 9, 1, 8, 0, 0, TimeSpan.FromHours(7)))
    {
    }

    public override DateTimeOffset GetUtcNow()
    {
        lock (_gate)
        {
            return _now.ToUniversalTime();
        }
    }

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        lock (_gate)
        {
            _now += by;
        }
    }
}
