using System.Globalization;
using Varlor.Backup.Engines.Retention;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Tests.Engines.Retention;

/// <summary>Helpers for hand-worked retention cases: snapshots named by their UTC time, results read back as times.</summary>
internal static class RetentionCases
{
    private static long _next;

    public static TimeZoneInfo Utc => TimeZoneInfo.Utc;
    public static TimeZoneInfo Athens => TimeZoneInfo.FindSystemTimeZoneById("Europe/Athens");
    public static TimeZoneInfo Berlin => TimeZoneInfo.FindSystemTimeZoneById("Europe/Berlin");
    public static TimeZoneInfo Paris => TimeZoneInfo.FindSystemTimeZoneById("Europe/Paris");

    /// <summary>A snapshot at <paramref name="utc"/> ("2026-03-01T23:30", read as UTC).</summary>
    public static RetentionCandidate Snap(string utc, params string[] tags) =>
        new(new BlobId(0, 0, 0, (ulong)Interlocked.Increment(ref _next)), At(utc), tags);

    /// <summary>One snapshot a day at <paramref name="time"/> on the wall clock of <paramref name="zone"/>, from
    /// <paramref name="first"/> to <paramref name="last"/>, none on the days of <paramref name="gaps"/> (inclusive
    /// ranges). On the day the clocks go forward a time in the skipped hour runs an hour later, as cron runs it.</summary>
    public static List<RetentionCandidate> Daily(
        DateOnly first, DateOnly last, TimeOnly time, TimeZoneInfo zone, params (DateOnly From, DateOnly To)[] gaps)
    {
        var snapshots = new List<RetentionCandidate>();
        for (var day = first; day <= last; day = day.AddDays(1))
        {
            if (gaps.Any(g => day >= g.From && day <= g.To)) continue;
            var wall = day.ToDateTime(time);
            if (zone.IsInvalidTime(wall)) wall = wall.AddHours(1);
            var at = new DateTimeOffset(TimeZoneInfo.ConvertTimeToUtc(wall, zone));
            snapshots.Add(new RetentionCandidate(new BlobId(0, 0, 0, (ulong)Interlocked.Increment(ref _next)), at, []));
        }
        return snapshots;
    }

    /// <summary>The snapshot's date on the wall clock of <paramref name="zone"/>, "2026-04-10".</summary>
    public static string LocalDay(RetentionCandidate s, TimeZoneInfo zone) =>
        TimeZoneInfo.ConvertTime(s.Time, zone).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    public static DateTimeOffset At(string utc) =>
        DateTimeOffset.Parse(utc, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal);

    public static string Name(RetentionCandidate s) => s.Time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm", CultureInfo.InvariantCulture);

    public static IReadOnlyList<RetentionDecision> Apply(RetentionPolicy policy, TimeZoneInfo zone, params string[] utcTimes) =>
        RetentionEngine.Apply(policy, utcTimes.Select(t => Snap(t)), zone);

    /// <summary>The kept snapshots' times, newest first.</summary>
    public static string[] Kept(IReadOnlyList<RetentionDecision> decisions) => [.. decisions.Where(d => d.Keep).Select(d => Name(d.Snapshot))];

    public static string[] Removed(IReadOnlyList<RetentionDecision> decisions) => [.. decisions.Where(d => !d.Keep).Select(d => Name(d.Snapshot))];

    /// <summary>"time: reason, reason" for each kept snapshot, newest first.</summary>
    public static string[] Reasons(IReadOnlyList<RetentionDecision> decisions) =>
        [.. decisions.Where(d => d.Keep).Select(d => Name(d.Snapshot) + ": " + string.Join(", ", d.Reasons))];
}
