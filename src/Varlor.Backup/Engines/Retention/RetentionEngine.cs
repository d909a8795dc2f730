namespace Varlor.Backup.Engines.Retention;

/// <summary>
/// Applies a <see cref="RetentionPolicy"/> to the snapshots of one group, with restic's algorithm (no I/O):
/// <list type="bullet">
/// <item>snapshots are sorted newest first (equal times: higher id first);</item>
/// <item>each count rule walks from the newest and keeps a snapshot whose bucket differs from the bucket of the last
/// snapshot that rule kept, while its counter lasts (<see cref="RetentionPolicy.Unlimited"/> never runs out);
/// a rule whose counter is not exhausted when it reaches the oldest snapshot of the group keeps that one too
/// (restic: "if there are not enough snapshots to keep one for each duration related option, the oldest snapshot
/// in the group is kept additionally");</item>
/// <item>keep-within keeps snapshots strictly newer than the newest snapshot's time minus the duration (relative to
/// the newest snapshot not in the future, not to now);</item>
/// <item>keep-within-hourly/-daily/-weekly/-monthly/-yearly (restic's <c>--keep-within-daily</c> ...) are bucket
/// rules without a count that only look at the snapshots keep-within with their duration would keep: each keeps the
/// newest snapshot of each hour/day/week/month/year among them (and, like the count rules, the oldest snapshot of
/// the group if it is among them);</item>
/// <item>keep-tag keeps snapshots carrying any of the tags.</item>
/// </list>
/// Reasons are listed in restic's order: tag, within, last, hourly, daily, weekly, monthly, yearly, within-hourly,
/// within-daily, within-weekly, within-monthly, within-yearly.
/// </summary>
public static class RetentionEngine
{
    /// <param name="policy">validated here: an empty or invalid policy throws <see cref="RetentionPolicyException"/>.</param>
    /// <param name="snapshots">one group's snapshots, in any order.</param>
    /// <param name="zone">where calendar buckets are computed; default <see cref="TimeZoneInfo.Local"/>.</param>
    /// <param name="now">when given, snapshots after it do not count as the newest for keep-within (restic ignores
    /// snapshots in the future there); null takes the newest snapshot whatever its time.</param>
    /// <returns>one decision per snapshot, newest first.</returns>
    public static IReadOnlyList<RetentionDecision> Apply(
        RetentionPolicy policy, IEnumerable<RetentionCandidate> snapshots, TimeZoneInfo? zone = null, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        ArgumentNullException.ThrowIfNull(snapshots);
        policy.Validate();
        zone ??= TimeZoneInfo.Local;
        var list = snapshots.OrderByDescending(s => s.Time).ThenByDescending(s => s.Id).ToList();
        if (list.Count == 0) return [];

        var reference = Reference(list, now);
        DateTimeOffset? After(RetentionDuration d) => d.IsZero ? null : Cutoff(d, reference, zone);
        var rules = new List<BucketRule>
        {
            new(KeepReasons.Last, policy.KeepLast, null, (_, nr) => nr),
            new(KeepReasons.Hourly, policy.KeepHourly, null, (w, _) => CalendarBucket.Hour(w)),
            new(KeepReasons.Daily, policy.KeepDaily, null, (w, _) => CalendarBucket.Day(w)),
            new(KeepReasons.Weekly, policy.KeepWeekly, null, (w, _) => CalendarBucket.Week(w)),
            new(KeepReasons.Monthly, policy.KeepMonthly, null, (w, _) => CalendarBucket.Month(w)),
            new(KeepReasons.Yearly, policy.KeepYearly, null, (w, _) => CalendarBucket.Year(w)),
        };
        rules.RemoveAll(r => r.Remaining == 0);
        // The duration bucket rules: no count, a time limit instead.
        foreach (var (name, duration, bucket) in new (string, RetentionDuration, Func<DateTime, long>)[]
        {
            (KeepReasons.WithinHourly, policy.KeepWithinHourly, CalendarBucket.Hour),
            (KeepReasons.WithinDaily, policy.KeepWithinDaily, CalendarBucket.Day),
            (KeepReasons.WithinWeekly, policy.KeepWithinWeekly, CalendarBucket.Week),
            (KeepReasons.WithinMonthly, policy.KeepWithinMonthly, CalendarBucket.Month),
            (KeepReasons.WithinYearly, policy.KeepWithinYearly, CalendarBucket.Year),
        })
        {
            if (After(duration) is { } after) rules.Add(new BucketRule(name, RetentionPolicy.Unlimited, after, (w, _) => bucket(w)));
        }

        var withinAfter = After(policy.KeepWithin);
        var decisions = new List<RetentionDecision>(list.Count);
        for (var nr = 0; nr < list.Count; nr++)
        {
            var s = list[nr];
            var reasons = new List<string>();
            if (policy.KeepTags.Count > 0 && s.Tags.Any(policy.KeepTags.Contains)) reasons.Add(KeepReasons.Tag);
            if (withinAfter is { } cut && s.Time > cut) reasons.Add(KeepReasons.Within);
            var wall = TimeZoneInfo.ConvertTime(s.Time, zone).DateTime;
            var oldest = nr == list.Count - 1;
            foreach (var rule in rules)
            {
                if (rule.Remaining == 0 || (rule.After is { } after && s.Time <= after)) continue;
                var bucket = rule.Bucket(wall, nr);
                if (bucket == rule.LastKept && !oldest) continue;
                rule.LastKept = bucket;
                if (rule.Remaining > 0) rule.Remaining--;
                reasons.Add(rule.Name);
            }
            decisions.Add(new RetentionDecision(s, reasons));
        }
        return decisions;
    }

    /// <summary>Applies the policy to each group of <paramref name="snapshots"/> (see <see cref="SnapshotGrouper"/>).</summary>
    public static IReadOnlyList<GroupRetention> ApplyGrouped(
        RetentionPolicy policy, IEnumerable<Repository.Snapshots.Snapshot> snapshots, SnapshotGroupBy groupBy,
        TimeZoneInfo? zone = null, DateTimeOffset? now = null)
    {
        ArgumentNullException.ThrowIfNull(policy);
        policy.Validate();
        return [.. SnapshotGrouper.Group(snapshots, groupBy)
            .Select(g => new GroupRetention(g.Key, Apply(policy, g.Snapshots.Select(RetentionCandidate.From), zone, now)))];
    }

    /// <summary>What the keep-within rules measure from: restic takes the newest snapshot that is not in the future.</summary>
    private static DateTimeOffset? Reference(List<RetentionCandidate> newestFirst, DateTimeOffset? now) =>
        now is { } n ? newestFirst.FirstOrDefault(s => s.Time < n)?.Time : newestFirst[0].Time;

    /// <summary>The instant a snapshot must be strictly newer than to be within <paramref name="within"/>. With no
    /// reference (every snapshot in the future) restic measures from the zero time, so every snapshot is within;
    /// likewise when the duration reaches before the calendar's start.</summary>
    private static DateTimeOffset Cutoff(RetentionDuration within, DateTimeOffset? reference, TimeZoneInfo zone) =>
        reference is { } r ? within.Before(r, zone) ?? DateTimeOffset.MinValue : DateTimeOffset.MinValue;

    private sealed class BucketRule(string name, int count, DateTimeOffset? after, Func<DateTime, int, long> bucket)
    {
        public string Name { get; } = name;
        /// <summary>Only snapshots strictly newer than this are considered (the keep-within-* rules); null: all.</summary>
        public DateTimeOffset? After { get; } = after;
        public Func<DateTime, int, long> Bucket { get; } = bucket;
        /// <summary>Snapshots this rule may still keep; negative: unlimited.</summary>
        public int Remaining { get; set; } = count;
        public long? LastKept { get; set; }
    }
}
