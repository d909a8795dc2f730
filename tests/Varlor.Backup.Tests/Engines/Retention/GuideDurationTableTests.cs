using Varlor.Backup.Engines.Retention;
using static Varlor.Backup.Tests.Engines.Retention.RetentionCases;

namespace Varlor.Backup.Tests.Engines.Retention;

/// <summary>
/// The guide's retention table mapped to the duration rules (docs/operators-guide.md, "Retention"), on years of daily
/// backups at 02:30 in Paris: with gaps, and through every change of the clocks (on the spring day 02:30 does not
/// exist and the backup runs at 03:30).
/// </summary>
public sealed class GuideDurationTableTests
{
    private static readonly RetentionPolicy Files = new()
    {
        KeepWithinDaily = RetentionDuration.Parse("30d"), KeepWithinWeekly = RetentionDuration.Parse("12w"),
        KeepWithinMonthly = RetentionDuration.Parse("6m"), KeepWithinYearly = RetentionDuration.Parse("2y"),
    };

    private static readonly RetentionPolicy Database = Files with
    {
        KeepWithinMonthly = RetentionDuration.Parse("24m"), KeepWithinYearly = RetentionDuration.Parse("5y"),
    };

    private static readonly TimeOnly BackupTime = new(2, 30);

    /// <summary>1 January 2020 to Friday 10 April 2026, without 20-24 March 2026, the ISO week 2-8 February 2026,
    /// 24-30 November 2025 and 28 December 2024 - 3 January 2025.</summary>
    private static List<RetentionCandidate> History() => Daily(
        new DateOnly(2020, 1, 1), new DateOnly(2026, 4, 10), BackupTime, Paris,
        (new DateOnly(2026, 3, 20), new DateOnly(2026, 3, 24)),
        (new DateOnly(2026, 2, 2), new DateOnly(2026, 2, 8)),
        (new DateOnly(2025, 11, 24), new DateOnly(2025, 11, 30)),
        (new DateOnly(2024, 12, 28), new DateOnly(2025, 1, 3)));

    // Worked by hand. The newest is Friday 10 April 2026 02:30 CEST; each rule looks at the snapshots strictly newer
    // than that wall-clock time minus its duration in Paris, and keeps the newest of each of its periods among them.

    /// <summary>30d: after 11 March 02:30 CET (30 calendar days, 719 hours across the change to summer time on
    /// 29 March; 720 hours would have let in the 11 March snapshot): 12 March .. 10 April without the gap.</summary>
    private static readonly string[] Daily30 =
    [
        .. Enumerable.Range(1, 10).Reverse().Select(d => $"2026-04-{d:00}"), // 10 .. 1 April
        .. Enumerable.Range(25, 7).Reverse().Select(d => $"2026-03-{d:00}"), // 31 .. 25 March
        .. Enumerable.Range(12, 8).Reverse().Select(d => $"2026-03-{d:00}"), // 19 .. 12 March
    ];

    /// <summary>12w: after Friday 16 January 02:30: ISO weeks 15 (10 April, the newest) back to 3 (its Sunday,
    /// 18 January), the newest of each: the Sundays, except week 12 whose Friday to Sunday fell in the gap
    /// (Thursday 19 March) and week 6, which has no snapshot.</summary>
    private static readonly string[] Weekly12 =
    [
        "2026-04-10", "2026-04-05", "2026-03-29", "2026-03-19", "2026-03-15", "2026-03-08", "2026-03-01",
        "2026-02-22", "2026-02-15", "2026-02-01", "2026-01-25", "2026-01-18",
    ];

    /// <summary>6m: after 10 October 2025 02:30: October 2025 .. April 2026, the last day of each month with a
    /// snapshot (23 November: the gap took the month's last week).</summary>
    private static readonly string[] Monthly6 =
        ["2026-04-10", "2026-03-31", "2026-02-28", "2026-01-31", "2025-12-31", "2025-11-23", "2025-10-31"];

    /// <summary>2y: after 10 April 2024 02:30: the years 2026, 2025 and 2024 (27 December: the gap).</summary>
    private static readonly string[] Yearly2 = ["2026-04-10", "2025-12-31", "2024-12-27"];

    /// <summary>24m: after 10 April 2024 02:30: April 2024 .. April 2026, 25 months.</summary>
    private static readonly string[] Monthly24 =
    [
        .. Monthly6.SkipLast(1), "2025-10-31", "2025-09-30", "2025-08-31", "2025-07-31", "2025-06-30", "2025-05-31",
        "2025-04-30", "2025-03-31", "2025-02-28", "2025-01-31", "2024-12-27", "2024-11-30", "2024-10-31", "2024-09-30",
        "2024-08-31", "2024-07-31", "2024-06-30", "2024-05-31", "2024-04-30",
    ];

    /// <summary>5y: after 10 April 2021 02:30: the years 2021 .. 2026.</summary>
    private static readonly string[] Yearly5 = [.. Yearly2, "2023-12-31", "2022-12-31", "2021-12-31"];

    [Fact]
    public void Files_row_keeps_one_a_day_for_30_days_a_week_for_12_weeks_a_month_for_6_months_a_year_for_2_years()
    {
        var d = RetentionEngine.Apply(Files, History(), Paris);

        Assert.Equal(Daily30, KeptBy(d, KeepReasons.WithinDaily));
        Assert.Equal(Weekly12, KeptBy(d, KeepReasons.WithinWeekly));
        Assert.Equal(Monthly6, KeptBy(d, KeepReasons.WithinMonthly));
        Assert.Equal(Yearly2, KeptBy(d, KeepReasons.WithinYearly));
        Assert.Equal(Union(Daily30, Weekly12, Monthly6, Yearly2), Kept(d, Paris));
        Assert.DoesNotContain("2026-03-11", Kept(d, Paris)); // exactly 30 calendar days before the newest

        // The oldest snapshot kept is the last of 2024, 15 months back; the counts the guide's table was mapped to
        // before (--keep-yearly 2 ...) reach back only to 23 November 2025, the oldest of their 6 months.
        Assert.Equal("2024-12-27", Kept(d, Paris)[^1]);
        var counts = new RetentionPolicy { KeepDaily = 30, KeepWeekly = 12, KeepMonthly = 6, KeepYearly = 2 };
        Assert.Equal("2025-11-23", Kept(RetentionEngine.Apply(counts, History(), Paris), Paris)[^1]);

        var reasons = d.ToDictionary(x => LocalDay(x.Snapshot, Paris), x => string.Join(",", x.Reasons));
        Assert.Equal("within-daily,within-weekly,within-monthly,within-yearly", reasons["2026-04-10"]);
        Assert.Equal("within-daily,within-weekly", reasons["2026-03-29"]); // 03:30 CEST, the clocks went forward at 02:00
        Assert.Equal("within-monthly,within-yearly", reasons["2025-12-31"]);
    }

    [Fact]
    public void Database_row_keeps_a_month_for_24_months_and_a_year_for_5_years()
    {
        var d = RetentionEngine.Apply(Database, History(), Paris);

        Assert.Equal(Daily30, KeptBy(d, KeepReasons.WithinDaily));
        Assert.Equal(Weekly12, KeptBy(d, KeepReasons.WithinWeekly));
        Assert.Equal(25, Monthly24.Length);
        Assert.Equal(Monthly24, KeptBy(d, KeepReasons.WithinMonthly));
        Assert.Equal(Yearly5, KeptBy(d, KeepReasons.WithinYearly));
        Assert.Equal(Union(Daily30, Weekly12, Monthly24, Yearly5), Kept(d, Paris));
        // 4 years and 3 months back; 1 January 2020, the group's oldest, is outside every window and goes.
        Assert.Equal("2021-12-31", Kept(d, Paris)[^1]);
    }

    /// <summary>
    /// forget run after every daily backup, as the cron lines of the guide do. Each year is kept by its last snapshot,
    /// 31 December, until it is N calendar years old: on any day but 31 December the oldest snapshot is 31 December
    /// N years before the current year (more than N - 1 years back); on 31 December, the one of N - 1 years before
    /// (exactly N - 1 years back: the one N years back is exactly N years old, not newer). With the counts the
    /// guide's table was mapped to before, the oldest was never more than N - 1 years back.
    /// </summary>
    [Theory]
    [InlineData("files", 2)]
    [InlineData("database", 5)]
    public void Run_every_day_the_oldest_snapshot_is_the_last_of_the_year_n_years_before(string row, int years)
    {
        var policy = row == "files" ? Files : Database;
        var counts = row == "files"
            ? new RetentionPolicy { KeepDaily = 30, KeepWeekly = 12, KeepMonthly = 6, KeepYearly = 2 }
            : new RetentionPolicy { KeepDaily = 30, KeepWeekly = 12, KeepMonthly = 24, KeepYearly = 5 };
        var backups = Daily(new DateOnly(2019, 1, 1), new DateOnly(2026, 12, 31), BackupTime, Paris);
        var kept = new List<RetentionCandidate>();
        var keptByCounts = new List<RetentionCandidate>();
        foreach (var backup in backups)
        {
            kept.Add(backup);
            kept = [.. RetentionEngine.Apply(policy, kept, Paris).Where(x => x.Keep).Select(x => x.Snapshot)];
            keptByCounts.Add(backup);
            keptByCounts = [.. RetentionEngine.Apply(counts, keptByCounts, Paris).Where(x => x.Keep).Select(x => x.Snapshot)];

            var today = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(backup.Time, Paris).DateTime);
            if (today.Year - years - 1 < 2019) continue; // not yet N + 1 years of history
            var oldestYear = today is { Month: 12, Day: 31 } ? today.Year - years + 1 : today.Year - years;
            Assert.Equal($"{oldestYear}-12-31", LocalDay(kept.MinBy(s => s.Time)!, Paris));
            var oldestByCounts = DateOnly.FromDateTime(TimeZoneInfo.ConvertTime(keptByCounts.Min(s => s.Time), Paris).DateTime);
            Assert.True(oldestByCounts >= today.AddYears(-(years - 1)), $"{today}: the counts kept {oldestByCounts}");
        }
    }

    private static string[] KeptBy(IReadOnlyList<RetentionDecision> d, string reason) =>
        [.. d.Where(x => x.Reasons.Contains(reason)).Select(x => LocalDay(x.Snapshot, Paris))];

    private static string[] Kept(IReadOnlyList<RetentionDecision> d, TimeZoneInfo zone) =>
        [.. d.Where(x => x.Keep).Select(x => LocalDay(x.Snapshot, zone))];

    /// <summary>The days, newest first.</summary>
    private static string[] Union(params string[][] lists) =>
        [.. lists.SelectMany(l => l).Distinct().OrderDescending(StringComparer.Ordinal)];
}
