using Meterai.Gateway.Oversight;

namespace Meterai.Gateway.Tests.Oversight;

public sealed class OversightTextTests
{
    [Fact]
    public void Localise_StoredFinding_EveryTimeInWibAndNothingElseChanged()
    {
        const string stored = "Of 2 registered distributors, 1 sold e-Meterai between 6 December 2026 17:00 UTC and 7 December 2026 17:00 UTC; "
            + "when this report was built (7 December 2026 17:05 UTC), 1 was selling.";

        var read = ReaderClock.Wib.Localise(stored);

        Assert.Equal(
            "Of 2 registered distributors, 1 sold e-Meterai between 7 Dec 2026 00:00 WIB and 8 Dec 2026 00:00 WIB; "
            + "when this report was built (8 Dec 2026 00:05 WIB), 1 was selling.",
            read);
    }

    [Theory]
    [InlineData(24, "07:00")]
    [InlineData(72, "8 Dec")]
    public void AxisLabel_HourAfterUtcMidnight_LabelledInWib(int hours, string expected)
    {
        var midnightUtc = new DateTimeOffset(2026, 12, 8, 0, 0, 0, TimeSpan.Zero);

        Assert.Equal(expected, ReaderClock.Wib.AxisLabel(midnightUtc, hours));
    }
}
