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

    /// <summary>A snapshot at <paramref name="utc"/> ("2026-03-01T23:30", read as UTC).</summary>
    public static RetentionCandidate Snap(string utc, params string[] tags) =>
        new(new BlobId(0, 0, 0, (ulong)Interlocked.Increment(ref _next)), At(utc), tags);

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
