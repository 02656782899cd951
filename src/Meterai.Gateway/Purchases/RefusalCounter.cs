namespace Meterai.Gateway.Purchases;

/// <summary>
/// Applicants answered 503 for lack of capacity, counted per hour in memory. The purchase path
/// calls <see cref="Refused"/> (no ledger access: under a surge a refusal must stay free);
/// Oversight's <c>HourlyEvidenceJob</c> moves the counts to the ledger's <c>refusals_hourly</c>.
/// </summary>
internal sealed class RefusalCounter(TimeProvider time)
{
    private readonly Dictionary<long, long> _pending = [];
    private readonly Lock _lock = new();

    /// <summary>One applicant refused for lack of capacity, now.</summary>
    public void Refused()
    {
        var hour = HourStart(time.GetUtcNow());
        lock (_lock)
        {
            _pending[hour] = _pending.GetValueOrDefault(hour) + 1;
        }
    }

    /// <summary>The counts not yet in the ledger, by hour start (Unix ms); the counter forgets them.</summary>
    public IReadOnlyDictionary<long, long> Take()
    {
        lock (_lock)
        {
            var taken = new Dictionary<long, long>(_pending);
            _pending.Clear();
            return taken;
        }
    }

    /// <summary>Gives back counts a failed flush took, so the next flush writes them.</summary>
    public void Restore(IReadOnlyDictionary<long, long> counts)
    {
        ArgumentNullException.ThrowIfNull(counts);
        lock (_lock)
        {
            foreach (var (hour, count) in counts)
            {
                _pending[hour] = _pending.GetValueOrDefault(hour) + count;
            }
        }
    }

    internal static long HourStart(DateTimeOffset at)
    {
        var ms = at.ToUnixTimeMilliseconds();
        return ms - (((ms % HourMs) + HourMs) % HourMs);
    }

    internal const long HourMs = 3_600_000;
}
