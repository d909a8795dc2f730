using Varlor.Backup.Engines.Retention;

namespace Varlor.Backup.Tests.Engines.Retention;

public sealed class RetentionDurationTests
{
    [Theory]
    [InlineData("1y6m3d12h", 1, 6, 3, 12)]
    [InlineData("90d", 0, 0, 90, 0)]
    [InlineData("36h", 0, 0, 0, 36)]
    [InlineData(" 2y ", 2, 0, 0, 0)]
    [InlineData("3d1y", 1, 0, 3, 0)]   // any order, as restic
    [InlineData("1d2d", 0, 0, 2, 0)]   // a repeated unit takes the last value, as restic
    public void Parses_restic_syntax(string text, int y, int m, int d, int h) =>
        Assert.Equal(new RetentionDuration(y, m, d, h), RetentionDuration.Parse(text));

    [Fact]
    public void Weeks_are_seven_calendar_days()
    {
        var twelveWeeks = RetentionDuration.Parse("12w");
        Assert.Equal(12, twelveWeeks.Weeks);
        Assert.Equal("12w", twelveWeeks.ToString());
        Assert.Equal("1y2w3d", RetentionDuration.Parse("3d2w1y").ToString());
        // Friday 10 April 2026 01:00 in Paris (CEST) - 84 days = Friday 16 January 01:00 (CET): 2015 hours, not 2016.
        var newest = new DateTimeOffset(2026, 4, 10, 1, 0, 0, TimeSpan.FromHours(2));
        var paris = TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");
        Assert.Equal(new DateTimeOffset(2026, 1, 16, 1, 0, 0, TimeSpan.FromHours(1)), twelveWeeks.Before(newest, paris));
        Assert.Equal(RetentionDuration.Parse("84d").Before(newest, paris), twelveWeeks.Before(newest, paris));
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("5x")]
    [InlineData("5W")]
    [InlineData("d")]
    [InlineData("1.5d")]
    [InlineData("-1d")]
    [InlineData("99999999999d")]
    public void Refuses_malformed_or_negative_durations(string text) =>
        Assert.Throws<RetentionPolicyException>(() => RetentionDuration.Parse(text));

    [Fact]
    public void Prints_in_restic_syntax() => Assert.Equal("1y6m3d12h", RetentionDuration.Parse("12h3d6m1y").ToString());
}
