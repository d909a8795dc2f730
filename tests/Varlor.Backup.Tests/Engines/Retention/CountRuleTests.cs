using Varlor.Backup.Engines.Retention;
using static Varlor.Backup.Tests.Engines.Retention.RetentionCases;

namespace Varlor.Backup.Tests.Engines.Retention;

/// <summary>keep-last and the bucket counters: newest first, one per bucket, counters, -1, the oldest-snapshot rule.</summary>
public sealed class CountRuleTests
{
    [Fact]
    public void Keep_last_keeps_the_newest_n_whatever_their_order_in_the_input()
    {
        var d = Apply(new RetentionPolicy { KeepLast = 2 }, Utc,
            "2026-05-01T12:00", "2026-05-04T12:00", "2026-05-02T12:00", "2026-05-05T12:00", "2026-05-03T12:00");
        Assert.Equal(["2026-05-05T12:00: last", "2026-05-04T12:00: last"], Reasons(d));
        Assert.Equal(["2026-05-03T12:00", "2026-05-02T12:00", "2026-05-01T12:00"], Removed(d));
    }

    [Fact]
    public void Two_snapshots_in_one_day_the_newer_is_kept()
    {
        // Newest first: 3 May 20:00 opens day 3 May (daily counter 2 -> 1); 08:00 is the same day: removed;
        // 2 May opens a new day (1 -> 0); 1 May: the counter is exhausted, removed.
        var d = Apply(new RetentionPolicy { KeepDaily = 2 }, Utc,
            "2026-05-03T08:00", "2026-05-03T20:00", "2026-05-02T12:00", "2026-05-01T12:00");
        Assert.Equal(["2026-05-03T20:00: daily", "2026-05-02T12:00: daily"], Reasons(d));
        Assert.Equal(["2026-05-03T08:00", "2026-05-01T12:00"], Removed(d));
    }

    [Fact]
    public void Equal_times_are_ordered_by_id_and_only_one_is_kept()
    {
        var a = Snap("2026-05-03T08:00");
        var b = Snap("2026-05-03T08:00"); // higher id: counts as the newer
        var d = RetentionEngine.Apply(new RetentionPolicy { KeepDaily = 1 }, [a, b], Utc);
        Assert.Equal(b.Id, d[0].Snapshot.Id);
        Assert.True(d[0].Keep);
        Assert.False(d[1].Keep);
    }

    [Fact]
    public void A_rule_with_counts_left_also_keeps_the_oldest_snapshot()
    {
        // restic: "If there are not enough snapshots to keep one for each duration related --keep-{within-,}*
        // option, the oldest snapshot in the group is kept additionally." Three snapshots in one day, keep-daily 7:
        // 18:00 opens the day; 12:00 is the same day: removed; 06:00 is the same day too, but it is the oldest and
        // the daily counter still has 6 left, so it is kept, by "daily".
        var d = Apply(new RetentionPolicy { KeepDaily = 7 }, Utc, "2026-05-03T06:00", "2026-05-03T12:00", "2026-05-03T18:00");
        Assert.Equal(["2026-05-03T18:00: daily", "2026-05-03T06:00: daily"], Reasons(d));
        Assert.Equal(["2026-05-03T12:00"], Removed(d));
    }

    [Fact]
    public void Minus_one_keeps_one_per_bucket_without_limit()
    {
        // keep-daily -1: the newest of every day (3 May 20:00, 2 May, 1 May 18:00); 3 May 08:00 is removed; 1 May
        // 06:00 is kept as the oldest (an unlimited counter is never exhausted).
        var d = Apply(new RetentionPolicy { KeepDaily = RetentionPolicy.Unlimited }, Utc,
            "2026-05-03T20:00", "2026-05-03T08:00", "2026-05-02T12:00", "2026-05-01T18:00", "2026-05-01T06:00");
        Assert.Equal(["2026-05-03T20:00", "2026-05-02T12:00", "2026-05-01T18:00", "2026-05-01T06:00"], Kept(d));
        Assert.Equal(["2026-05-03T08:00"], Removed(d));
    }

    [Fact]
    public void Each_rule_counts_on_its_own_and_reasons_accumulate()
    {
        // Daily snapshots Sat 9 May .. Wed 13 May 2026 (ISO week 19 ends Sun 10 May), keep-daily 2, keep-weekly 2:
        // daily keeps 13 and 12 May; weekly keeps 13 May (W20) and 10 May (W19); 11 and 9 May go.
        var d = Apply(new RetentionPolicy { KeepDaily = 2, KeepWeekly = 2 }, Utc,
            "2026-05-09T12:00", "2026-05-10T12:00", "2026-05-11T12:00", "2026-05-12T12:00", "2026-05-13T12:00");
        Assert.Equal(["2026-05-13T12:00: daily, weekly", "2026-05-12T12:00: daily", "2026-05-10T12:00: weekly"], Reasons(d));
        Assert.Equal(["2026-05-11T12:00", "2026-05-09T12:00"], Removed(d));
    }

    [Fact]
    public void Hourly_keeps_the_newest_of_each_hour()
    {
        // keep-hourly 2: 10:50 opens hour 10, 10:10 same hour, 09:30 opens hour 9 (counter exhausted), 08:00 goes.
        var d = Apply(new RetentionPolicy { KeepHourly = 2 }, Utc, "2026-05-01T10:50", "2026-05-01T10:10", "2026-05-01T09:30", "2026-05-01T08:00");
        Assert.Equal(["2026-05-01T10:50: hourly", "2026-05-01T09:30: hourly"], Reasons(d));
    }

    [Fact]
    public void No_snapshots_no_decisions() => Assert.Empty(RetentionEngine.Apply(new RetentionPolicy { KeepLast = 1 }, [], Utc));
}
