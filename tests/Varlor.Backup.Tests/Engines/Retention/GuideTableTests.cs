using Varlor.Backup.Engines.Retention;
using static Varlor.Backup.Tests.Engines.Retention.RetentionCases;

namespace Varlor.Backup.Tests.Engines.Retention;

/// <summary>The guide's database row (30 daily, 12 weekly, 24 monthly, 5 yearly) on six and a half years of daily backups.</summary>
public sealed class GuideTableTests
{
    [Fact]
    public void Database_row_on_daily_backups_from_2020_to_mid_2026()
    {
        var snapshots = new List<RetentionCandidate>();
        for (var day = new DateTime(2020, 1, 1, 2, 0, 0, DateTimeKind.Utc); day <= new DateTime(2026, 6, 30, 2, 0, 0, DateTimeKind.Utc); day = day.AddDays(1))
            snapshots.Add(Snap(day.ToString("yyyy-MM-dd'T'HH:mm", System.Globalization.CultureInfo.InvariantCulture)));
        var policy = new RetentionPolicy { KeepDaily = 30, KeepWeekly = 12, KeepMonthly = 24, KeepYearly = 5 };
        var d = RetentionEngine.Apply(policy, snapshots, Utc);

        // Worked by hand, newest first (Tue 30 June 2026 is the newest):
        //  daily 30:   30 June .. 1 June 2026
        //  weekly 12:  30 June (its week began Mon 29 June), then the Sundays 28, 21, 14, 7 June, 31, 24, 17, 10,
        //              3 May, 26 and 19 April (29 March was a Sunday)
        //  monthly 24: the last day of each month, June 2026 back to July 2024
        //  yearly 5:   30 June 2026, then 31 December 2025, 2024, 2023, 2022
        // 1 January 2020, the oldest, is not kept: every counter is exhausted by then.
        var expected = new SortedSet<string>(StringComparer.Ordinal);
        for (var day = 1; day <= 30; day++) expected.Add($"2026-06-{day:00}T02:00");
        foreach (var sunday in new[] { "2026-05-31", "2026-05-24", "2026-05-17", "2026-05-10", "2026-05-03", "2026-04-26", "2026-04-19" })
            expected.Add(sunday + "T02:00");
        foreach (var monthEnd in new[]
        {
            "2026-05-31", "2026-04-30", "2026-03-31", "2026-02-28", "2026-01-31",
            "2025-12-31", "2025-11-30", "2025-10-31", "2025-09-30", "2025-08-31", "2025-07-31", "2025-06-30",
            "2025-05-31", "2025-04-30", "2025-03-31", "2025-02-28", "2025-01-31",
            "2024-12-31", "2024-11-30", "2024-10-31", "2024-09-30", "2024-08-31", "2024-07-31",
        })
            expected.Add(monthEnd + "T02:00");
        expected.Add("2023-12-31T02:00");
        expected.Add("2022-12-31T02:00");
        Assert.Equal(61, expected.Count); // 30 daily + 7 more weekly + 22 more monthly + 2 more yearly
        Assert.Equal(expected, new SortedSet<string>(Kept(d), StringComparer.Ordinal));

        var reasons = d.Where(x => x.Keep).ToDictionary(x => Name(x.Snapshot), x => string.Join(",", x.Reasons));
        Assert.Equal("daily,weekly,monthly,yearly", reasons["2026-06-30T02:00"]);
        Assert.Equal("weekly,monthly", reasons["2026-05-31T02:00"]);
        Assert.Equal("monthly,yearly", reasons["2024-12-31T02:00"]);
        Assert.Equal("yearly", reasons["2022-12-31T02:00"]);
    }
}
