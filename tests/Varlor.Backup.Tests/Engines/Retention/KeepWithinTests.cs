using Varlor.Backup.Engines.Retention;
using static Varlor.Backup.Tests.Engines.Retention.RetentionCases;

namespace Varlor.Backup.Tests.Engines.Retention;

/// <summary>keep-within: relative to the newest snapshot (not now), strictly newer than the cutoff, Go's calendar arithmetic.</summary>
public sealed class KeepWithinTests
{
    private static RetentionPolicy Within(string duration) => new() { KeepWithin = RetentionDuration.Parse(duration) };

    [Fact]
    public void Keeps_snapshots_strictly_newer_than_the_newest_minus_the_duration()
    {
        // Newest 15 June 12:00, 3d: cutoff 12 June 12:00; a snapshot exactly at the cutoff is not "newer".
        var d = Apply(Within("3d"), Utc, "2026-06-15T12:00", "2026-06-13T00:00", "2026-06-12T12:01", "2026-06-12T12:00", "2026-06-01T00:00");
        Assert.Equal(["2026-06-15T12:00: within", "2026-06-13T00:00: within", "2026-06-12T12:01: within"], Reasons(d));
        Assert.Equal(["2026-06-12T12:00", "2026-06-01T00:00"], Removed(d));
    }

    [Fact]
    public void Is_relative_to_the_newest_snapshot_not_to_now()
    {
        // All in 2020; "now" is years later: 7d still keeps the week before the newest.
        var d = RetentionEngine.Apply(Within("7d"), [Snap("2020-03-10T00:00"), Snap("2020-03-05T00:00"), Snap("2020-02-01T00:00")], Utc, At("2026-06-01T00:00"));
        Assert.Equal(["2020-03-10T00:00", "2020-03-05T00:00"], Kept(d));
    }

    [Fact]
    public void A_snapshot_in_the_future_is_not_the_reference_when_now_is_given()
    {
        // now = 16 June: the 1 July snapshot is in the future, so the reference is 15 June 12:00 and 7d cuts at
        // 8 June 12:00. The future snapshot is newer than that, so it is kept too; 1 June goes.
        string[] times = ["2026-07-01T00:00", "2026-06-15T12:00", "2026-06-10T12:00", "2026-06-01T00:00"];
        var d = RetentionEngine.Apply(Within("7d"), times.Select(t => Snap(t)), Utc, At("2026-06-16T00:00"));
        Assert.Equal(["2026-07-01T00:00", "2026-06-15T12:00", "2026-06-10T12:00"], Kept(d));
        // Without now the newest (1 July) is the reference: cutoff 24 June.
        Assert.Equal(["2026-07-01T00:00"], Kept(RetentionEngine.Apply(Within("7d"), times.Select(t => Snap(t)), Utc)));
    }

    [Fact]
    public void One_month_before_the_31st_carries_over_like_go()
    {
        // restic computes newest.AddDate(0, -1, 0): 31 March 10:00 -> "31 February" -> 3 March 10:00 (2026 is
        // not a leap year). .NET's AddMonths would say 28 February and keep 2 March too.
        var d = Apply(Within("1m"), Utc, "2026-03-31T10:00", "2026-03-03T10:30", "2026-03-03T10:00", "2026-03-02T12:00");
        Assert.Equal(["2026-03-31T10:00", "2026-03-03T10:30"], Kept(d));
    }

    [Fact]
    public void Years_months_days_then_hours()
    {
        // 15 June 2026 12:00 - 1y -> 15 June 2025 - 6m -> 15 Dec 2024 - 3d -> 12 Dec 2024 12:00 - 12h -> 12 Dec 00:00.
        var d = Apply(Within("1y6m3d12h"), Utc, "2026-06-15T12:00", "2024-12-12T00:01", "2024-12-12T00:00");
        Assert.Equal(["2026-06-15T12:00", "2024-12-12T00:01"], Kept(d));
    }

    [Fact]
    public void Days_are_calendar_days_in_the_zone_across_dst()
    {
        // Newest 30 March 2026 12:00 Berlin (10:00Z, CEST). 1d back on the wall clock is 29 March 12:00 CEST =
        // 10:00Z; 24h back would be 29 March 10:00Z as well (the change was at 01:00Z), but 2d back is 28 March
        // 12:00 CET = 11:00Z, one hour later than 48 hours before (10:00Z).
        string[] times = ["2026-03-30T10:00", "2026-03-28T11:00", "2026-03-28T10:30"];
        Assert.Equal(["2026-03-30T10:00"], Kept(Apply(Within("2d"), Berlin, times)));
        Assert.Equal(["2026-03-30T10:00", "2026-03-28T11:00", "2026-03-28T10:30"], Kept(Apply(Within("2d"), Utc, times)));
    }

    [Fact]
    public void A_duration_longer_than_the_calendar_keeps_everything()
    {
        var d = Apply(Within("9999y"), Utc, "2026-01-01T00:00", "0100-01-01T00:00");
        Assert.Equal(2, Kept(d).Length);
    }
}
