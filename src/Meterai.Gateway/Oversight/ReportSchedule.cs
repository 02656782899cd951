namespace Meterai.Gateway.Oversight;

/// <summary>
/// The fixed boundaries scheduled report periods start and end on: every
/// <see cref="OversightOptions.ReportIntervalHours"/> from <see cref="OversightOptions.ReportBoundaryHour"/>
/// local time at <see cref="OversightOptions.ReportUtcOffsetHours"/> (by default daily at 00:00 WIB).
/// Boundaries depend on the options only, never on when the gateway started.
/// </summary>
internal sealed class ReportSchedule
{
    private readonly DateTimeOffset _anchor;

    public ReportSchedule(OversightOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);

        // Triggers are declared before options are validated; clamped here, a bad value still
        // stops start-up with its own one-line options message instead of an exception from here.
        Interval = TimeSpan.FromHours(Math.Clamp(double.IsFinite(options.ReportIntervalHours) ? options.ReportIntervalHours : 24, 1d / 60, 744));
        var offset = TimeSpan.FromMinutes(Math.Clamp(Math.Round(double.IsFinite(options.ReportUtcOffsetHours) ? options.ReportUtcOffsetHours * 60 : 0), -14 * 60, 14 * 60));
        _anchor = new DateTimeOffset(2000, 1, 1, Math.Clamp(options.ReportBoundaryHour, 0, 23), 0, 0, offset);
    }

    public TimeSpan Interval { get; }

    /// <summary>The latest boundary at or before <paramref name="now"/>: the end of the latest period that has ended.</summary>
    public DateTimeOffset LatestEndAtOrBefore(DateTimeOffset now)
    {
        var periods = (long)Math.Floor((now - _anchor) / Interval);
        return (_anchor + (Interval * periods)).ToUniversalTime();
    }

    /// <summary>The first boundary after <paramref name="now"/>: when the next scheduled report is due.</summary>
    public DateTimeOffset NextEndAfter(DateTimeOffset now) => LatestEndAtOrBefore(now) + Interval;

    /// <summary>
    /// Periods that ended after <paramref name="since"/> and at or before <paramref name="now"/>,
    /// oldest first, at most <paramref name="limit"/> of them (the newest).
    /// </summary>
    public IReadOnlyList<(DateTimeOffset From, DateTimeOffset To)> EndedBetween(DateTimeOffset since, DateTimeOffset now, int limit)
    {
        var periods = new List<(DateTimeOffset, DateTimeOffset)>();
        for (var end = LatestEndAtOrBefore(now); end > since && periods.Count < limit; end -= Interval)
        {
            periods.Add((end - Interval, end));
        }

        periods.Reverse();
        return periods;
    }
}
