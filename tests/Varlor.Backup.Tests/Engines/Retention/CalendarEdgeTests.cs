using Varlor.Backup.Engines.Retention;
using static Varlor.Backup.Tests.Engines.Retention.RetentionCases;

namespace Varlor.Backup.Tests.Engines.Retention;

/// <summary>Hand-worked cases at calendar edges: ISO week 53, month and year ends, time zones, DST days.</summary>
public sealed class CalendarEdgeTests
{
    private static readonly string[] AroundNewYear2021 =
    [
        "2020-12-20T12:00", // Sun, 2020-W51
        "2020-12-28T12:00", // Mon, 2020-W53
        "2020-12-31T12:00", // Thu, 2020-W53
        "2021-01-03T12:00", // Sun, still 2020-W53
        "2021-01-04T12:00", // Mon, 2021-W01
        "2021-01-10T12:00", // Sun, 2021-W01
        "2021-01-11T12:00", // Mon, 2021-W02
    ];

    [Fact]
    public void Iso_week_53_of_2020_spans_the_new_year()
    {
        // keep-weekly 3, newest first: 11 Jan (W02) keep; 10 Jan (W01) keep; 4 Jan same week, removed;
        // 3 Jan (2020-W53) keep, counter exhausted; everything older removed.
        var d = Apply(new RetentionPolicy { KeepWeekly = 3 }, Utc, AroundNewYear2021);
        Assert.Equal(["2021-01-11T12:00", "2021-01-10T12:00", "2021-01-03T12:00"], Kept(d));

        // keep-weekly 4: 31 Dec and 28 Dec are in the week already kept (3 Jan's), so the fourth is 20 Dec (W51).
        d = Apply(new RetentionPolicy { KeepWeekly = 4 }, Utc, AroundNewYear2021);
        Assert.Equal(["2021-01-11T12:00", "2021-01-10T12:00", "2021-01-03T12:00", "2020-12-20T12:00"], Kept(d));
        Assert.Equal(["2021-01-04T12:00", "2020-12-31T12:00", "2020-12-28T12:00"], Removed(d));
    }

    [Fact]
    public void Iso_week_53_of_2026_spans_the_new_year()
    {
        // Sun 27 Dec 2026 is W52; Mon 28 Dec 2026 .. Sun 3 Jan 2027 is 2026-W53; Mon 4 Jan 2027 is 2027-W01.
        // keep-weekly 3: 4 Jan (W01), 3 Jan (W53; 31 and 28 Dec are the same week), 27 Dec (W52).
        var d = Apply(new RetentionPolicy { KeepWeekly = 3 }, Utc,
            "2026-12-27T12:00", "2026-12-28T12:00", "2026-12-31T12:00", "2027-01-03T12:00", "2027-01-04T12:00");
        Assert.Equal(["2027-01-04T12:00", "2027-01-03T12:00", "2026-12-27T12:00"], Kept(d));
        Assert.Equal(["2026-12-31T12:00", "2026-12-28T12:00"], Removed(d));
    }

    private static readonly string[] AroundNewYear2026 =
    [
        "2025-11-30T12:00", "2025-12-01T00:00", "2025-12-31T23:59", "2026-01-01T00:00", "2026-01-31T23:59", "2026-02-01T00:00",
    ];

    [Fact]
    public void Month_and_year_boundaries()
    {
        // keep-monthly 3: 1 Feb (2026-02); 31 Jan 23:59 (2026-01); 1 Jan same month, removed; 31 Dec 23:59
        // (2025-12), counter exhausted. keep-yearly 2: 1 Feb (2026); 31 Jan and 1 Jan same year; 31 Dec (2025).
        var d = Apply(new RetentionPolicy { KeepMonthly = 3, KeepYearly = 2 }, Utc, AroundNewYear2026);
        Assert.Equal(["2026-02-01T00:00: monthly, yearly", "2026-01-31T23:59: monthly", "2025-12-31T23:59: monthly, yearly"], Reasons(d));
        Assert.Equal(["2026-01-01T00:00", "2025-12-01T00:00", "2025-11-30T12:00"], Removed(d));
    }

    [Fact]
    public void Daily_buckets_follow_the_time_zone()
    {
        // UTC times and their Athens wall clock (EET, UTC+2 until 29 March 2026):
        //   2026-03-02T10:00Z = 12:00 on 2 March
        //   2026-03-01T23:30Z = 01:30 on 2 March  (1 March in UTC)
        //   2026-03-01T21:30Z = 23:30 on 1 March
        //   2026-03-01T12:00Z = 14:00 on 1 March
        string[] times = ["2026-03-01T12:00", "2026-03-01T21:30", "2026-03-01T23:30", "2026-03-02T10:00"];
        var policy = new RetentionPolicy { KeepDaily = 2 };
        // Athens: days 2 March (10:00Z, 23:30Z) and 1 March (21:30Z, 12:00Z): the newest of each.
        Assert.Equal(["2026-03-02T10:00", "2026-03-01T21:30"], Kept(Apply(policy, Athens, times)));
        // UTC: days 2 March (10:00Z) and 1 March (23:30Z, 21:30Z, 12:00Z).
        Assert.Equal(["2026-03-02T10:00", "2026-03-01T23:30"], Kept(Apply(policy, Utc, times)));
    }

    [Fact]
    public void Yearly_buckets_follow_the_time_zone()
    {
        // 2025-12-31T22:30Z is 00:30 on 1 January 2026 in Athens; 2025-12-31T12:00Z is 14:00 on 31 December 2025.
        string[] times = ["2025-06-01T12:00", "2025-12-31T12:00", "2025-12-31T22:30", "2026-06-01T12:00"];
        var policy = new RetentionPolicy { KeepYearly = 2 };
        // Athens: 2026 = {June 2026, 22:30Z}, 2025 = {12:00Z, June 2025}.
        Assert.Equal(["2026-06-01T12:00", "2025-12-31T12:00"], Kept(Apply(policy, Athens, times)));
        // UTC: 2026 = {June 2026}, 2025 = {22:30Z, 12:00Z, June 2025}.
        Assert.Equal(["2026-06-01T12:00", "2025-12-31T22:30"], Kept(Apply(policy, Utc, times)));
    }

    [Fact]
    public void Berlin_autumn_dst_change_the_repeated_hour_is_one_bucket()
    {
        // 25 Oct 2026: at 01:00Z Berlin goes from 03:00 CEST (UTC+2) back to 02:00 CET (UTC+1), so 02:00-02:59
        // happens twice. UTC -> Berlin wall clock:
        //   02:15Z = 03:15 CET
        //   01:45Z = 02:45 CET
        //   01:15Z = 02:15 CET
        //   00:45Z = 02:45 CEST
        //   00:15Z = 02:15 CEST
        //   24 Oct 23:30Z = 01:30 CEST
        string[] times = ["2026-10-24T23:30", "2026-10-25T00:15", "2026-10-25T00:45", "2026-10-25T01:15", "2026-10-25T01:45", "2026-10-25T02:15"];
        var policy = new RetentionPolicy { KeepHourly = 10 };
        // Berlin: hour 03 (02:15Z); hour 02, two hours long (01:45Z newest; 01:15Z, 00:45Z, 00:15Z removed);
        // hour 01 (23:30Z, also the oldest).
        var berlin = Apply(policy, Berlin, times);
        Assert.Equal(["2026-10-25T02:15", "2026-10-25T01:45", "2026-10-24T23:30"], Kept(berlin));
        Assert.Equal(["2026-10-25T01:15", "2026-10-25T00:45", "2026-10-25T00:15"], Removed(berlin));
        // UTC: hours 02, 01 (01:45Z), 00 (00:45Z), 23.
        Assert.Equal(["2026-10-25T02:15", "2026-10-25T01:45", "2026-10-25T00:45", "2026-10-24T23:30"], Kept(Apply(policy, Utc, times)));
    }

    [Fact]
    public void Berlin_spring_dst_change_the_skipped_hour_is_no_bucket()
    {
        // 29 Mar 2026: at 01:00Z Berlin jumps from 02:00 CET (UTC+1) to 03:00 CEST (UTC+2); 02:xx never happens.
        //   02:20Z = 04:20 CEST
        //   01:50Z = 03:50 CEST
        //   01:20Z = 03:20 CEST
        //   00:50Z = 01:50 CET
        //   00:10Z = 01:10 CET
        //   28 Mar 23:30Z = 00:30 CET on 29 March
        //   28 Mar 12:00Z = 13:00 CET on 28 March
        string[] times =
        [
            "2026-03-28T12:00", "2026-03-28T23:30", "2026-03-29T00:10", "2026-03-29T00:50", "2026-03-29T01:20", "2026-03-29T01:50", "2026-03-29T02:20",
        ];
        // keep-hourly 3: hours 04, 03 (01:50Z), then 01 (00:50Z): the skipped hour 02 holds nothing and uses no count.
        Assert.Equal(["2026-03-29T02:20", "2026-03-29T01:50", "2026-03-29T00:50"], Kept(Apply(new RetentionPolicy { KeepHourly = 3 }, Berlin, times)));
        // keep-daily 2: in Berlin everything from 28 Mar 23:30Z on is 29 March, so the second day is 28 March
        // (12:00Z); in UTC 28 Mar 23:30Z is itself 28 March, the newest of that day.
        var daily = new RetentionPolicy { KeepDaily = 2 };
        Assert.Equal(["2026-03-29T02:20", "2026-03-28T12:00"], Kept(Apply(daily, Berlin, times)));
        Assert.Equal(["2026-03-29T02:20", "2026-03-28T23:30"], Kept(Apply(daily, Utc, times)));
    }
}
