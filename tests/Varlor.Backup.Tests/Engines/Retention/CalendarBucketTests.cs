using Varlor.Backup.Engines.Retention;
using static Varlor.Backup.Tests.Engines.Retention.RetentionCases;

namespace Varlor.Backup.Tests.Engines.Retention;

public sealed class CalendarBucketTests
{
    private static DateTime D(int y, int m, int d, int h = 12) => new(y, m, d, h, 0, 0, DateTimeKind.Unspecified);

    [Theory]
    // 2020 began on a Wednesday and is a leap year, so it has 53 ISO weeks: Mon 28 Dec 2020 .. Sun 3 Jan 2021 is 2020-W53.
    [InlineData(2020, 12, 28, 202053)]
    [InlineData(2020, 12, 31, 202053)]
    [InlineData(2021, 1, 3, 202053)]
    [InlineData(2021, 1, 4, 202101)]
    // 2026 begins on a Thursday, so it has 53 ISO weeks: Mon 28 Dec 2026 .. Sun 3 Jan 2027 is 2026-W53.
    [InlineData(2026, 12, 27, 202652)]
    [InlineData(2026, 12, 31, 202653)]
    [InlineData(2027, 1, 3, 202653)]
    [InlineData(2027, 1, 4, 202701)]
    // And the other way: Mon 30 Dec 2024 is in the week of Thu 2 Jan 2025, so it is 2025-W01.
    [InlineData(2024, 12, 30, 202501)]
    public void Iso_weeks_belong_to_the_iso_year(int y, int m, int d, long expected) =>
        Assert.Equal(expected, CalendarBucket.Week(D(y, m, d)));

    [Fact]
    public void Hour_day_month_year_read_the_wall_clock()
    {
        var wall = D(2026, 3, 2, 1);
        Assert.Equal(2026030201, CalendarBucket.Hour(wall));
        Assert.Equal(20260302, CalendarBucket.Day(wall));
        Assert.Equal(202603, CalendarBucket.Month(wall));
        Assert.Equal(2026, CalendarBucket.Year(wall));
    }

    [Fact]
    public void Athens_wall_clock_is_two_hours_ahead_of_utc_in_winter()
    {
        // 2026-03-01T23:30Z: Athens is on EET (UTC+2) until 29 March, so it is 01:30 on 2 March there.
        var wall = TimeZoneInfo.ConvertTime(At("2026-03-01T23:30"), Athens).DateTime;
        Assert.Equal(D(2026, 3, 2, 1).AddMinutes(30), wall);
        Assert.Equal(20260302, CalendarBucket.Day(wall));
    }
}
