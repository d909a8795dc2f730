using Varlor.Backup.Engines.Retention;
using static Varlor.Backup.Tests.Engines.Retention.RetentionCases;

namespace Varlor.Backup.Tests.Engines.Retention;

/// <summary>keep-within-hourly/-daily/-weekly/-monthly/-yearly: the newest snapshot of each period among those keep-within would keep.</summary>
public sealed class KeepWithinBucketsTests
{
    [Fact]
    public void Keeps_the_newest_of_each_day_strictly_within_the_duration()
    {
        // Newest 15 June 12:00, 3d: cutoff 12 June 12:00. 15 June: 12:00 (newest of the day), 08:00 removed;
        // 14 June 20:00; 13 June: nothing; 12 June: 18:00 (after the cutoff), 12:00 is at the cutoff; 11 June out.
        var d = Apply(new RetentionPolicy { KeepWithinDaily = RetentionDuration.Parse("3d") }, Utc,
            "2026-06-15T12:00", "2026-06-15T08:00", "2026-06-14T20:00", "2026-06-14T09:00", "2026-06-12T18:00", "2026-06-12T12:00",
            "2026-06-11T23:00");
        Assert.Equal(["2026-06-15T12:00: within-daily", "2026-06-14T20:00: within-daily", "2026-06-12T18:00: within-daily"], Reasons(d));
        Assert.Equal(["2026-06-15T08:00", "2026-06-14T09:00", "2026-06-12T12:00", "2026-06-11T23:00"], Removed(d));
    }

    [Fact]
    public void A_gap_is_not_made_up_for_unlike_the_counts()
    {
        // Month ends of January to June, without March and April. keep-within-monthly 4m (cutoff 28 February 10:00)
        // keeps June, May and February's: a month without snapshots keeps nothing. keep-monthly 4 counts months that
        // have a snapshot, so it reaches back to January.
        string[] times = ["2026-06-28T10:00", "2026-05-31T10:00", "2026-02-28T11:00", "2026-01-31T10:00"];
        Assert.Equal(["2026-06-28T10:00", "2026-05-31T10:00", "2026-02-28T11:00"],
            Kept(Apply(new RetentionPolicy { KeepWithinMonthly = RetentionDuration.Parse("4m") }, Utc, times)));
        Assert.Equal(times, Kept(Apply(new RetentionPolicy { KeepMonthly = 4 }, Utc, times)));
    }

    [Fact]
    public void Weeks_hours_and_years()
    {
        // 2w = 14 days: cutoff Monday 1 June 12:00. ISO weeks: 25 (Monday 15 June), 24 (Sunday 14 June; Monday
        // 8 June removed), 23 (only Monday 1 June 12:30, after the cutoff); 1 June 11:00 is before it.
        string[] weeks = ["2026-06-15T12:00", "2026-06-14T12:00", "2026-06-08T12:00", "2026-06-01T12:30", "2026-06-01T11:00"];
        Assert.Equal(["2026-06-15T12:00", "2026-06-14T12:00", "2026-06-01T12:30"],
            Kept(Apply(new RetentionPolicy { KeepWithinWeekly = RetentionDuration.Parse("2w") }, Utc, weeks)));

        // 2h: cutoff 10:00; hours 11 (11:50) and 10 (10:40); 10:00 is at the cutoff.
        Assert.Equal(["2026-06-15T12:00", "2026-06-15T11:50", "2026-06-15T10:40"],
            Kept(Apply(new RetentionPolicy { KeepWithinHourly = RetentionDuration.Parse("2h") }, Utc,
                "2026-06-15T12:00", "2026-06-15T11:50", "2026-06-15T11:10", "2026-06-15T10:40", "2026-06-15T10:00")));

        // 1y: cutoff 15 June 2025 12:00; years 2026 (the newest) and 2025 (31 December); June 2025 is at the cutoff.
        Assert.Equal(["2026-06-15T12:00", "2025-12-31T12:00"],
            Kept(Apply(new RetentionPolicy { KeepWithinYearly = RetentionDuration.Parse("1y") }, Utc,
                "2026-06-15T12:00", "2026-01-01T12:00", "2025-12-31T12:00", "2025-07-01T12:00", "2025-06-15T12:00")));
    }

    [Fact]
    public void The_oldest_snapshot_of_the_group_is_kept_when_within_like_the_counts()
    {
        // restic keeps the group's oldest snapshot for a bucket rule that reaches it; for these rules only if it
        // is within the duration. 15 June 08:00 is the oldest and within 3d: kept though 12:00 has the day.
        var d = Apply(new RetentionPolicy { KeepWithinDaily = RetentionDuration.Parse("3d") }, Utc, "2026-06-15T12:00", "2026-06-15T08:00");
        Assert.Equal(["2026-06-15T12:00", "2026-06-15T08:00"], Kept(d));
        // Outside the duration it goes.
        d = Apply(new RetentionPolicy { KeepWithinDaily = RetentionDuration.Parse("3d") }, Utc, "2026-06-15T12:00", "2026-06-15T08:00", "2026-06-01T08:00");
        Assert.Equal(["2026-06-15T12:00"], Kept(d));
    }

    [Fact]
    public void Measured_from_the_newest_snapshot_not_in_the_future_in_restics_order_of_reasons()
    {
        // now = 16 June: the 1 July snapshot is in the future, the reference is 15 June 12:00, 2d cuts at
        // 13 June 12:00. The future one is the newest of its day and within, kept (restic does the same).
        var policy = new RetentionPolicy
        {
            KeepLast = 1, KeepWithin = RetentionDuration.Parse("1d"), KeepWithinDaily = RetentionDuration.Parse("2d"),
            KeepWithinMonthly = RetentionDuration.Parse("2d"),
        };
        string[] times = ["2026-07-01T00:00", "2026-06-15T12:00", "2026-06-15T06:00", "2026-06-14T12:00", "2026-06-13T12:00"];
        var d = RetentionEngine.Apply(policy, times.Select(t => Snap(t)), Utc, At("2026-06-16T00:00"));
        Assert.Equal(
        [
            "2026-07-01T00:00: within, last, within-daily, within-monthly",
            "2026-06-15T12:00: within, within-daily, within-monthly",
            "2026-06-15T06:00: within",
            "2026-06-14T12:00: within-daily", // exactly 1d before the reference: not within
        ], Reasons(d));
        Assert.Equal(["2026-06-13T12:00"], Removed(d));
    }

    [Fact]
    public void Alone_a_zero_duration_is_no_rule_and_negative_ones_are_refused()
    {
        Assert.Throws<RetentionPolicyException>(() => new RetentionPolicy { KeepWithinYearly = RetentionDuration.Parse("0y") }.Validate());
        var e = Assert.Throws<RetentionPolicyException>(() => new RetentionPolicy { KeepWithinWeekly = new RetentionDuration(0, 0, 0, 0) { Weeks = -1 } }.Validate());
        Assert.Contains("--keep-within-weekly", e.Message);
    }
}
