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
/// <item>keep-tag keeps snapshots carrying any of the tags.</item>
/// </list>
/// Reasons are listed in restic's order: tag, within, last, hourly, daily, weekly, monthly, yearly.
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

        var rules = new List<BucketRule>
        {
            new(KeepReasons.Last, policy.KeepLast, (_, nr) => nr),
            new(KeepReasons.Hourly, policy.KeepHourly, (w, _) => CalendarBucket.Hour(w)),
            new(KeepReasons.Daily, policy.KeepDaily, (w, _) => CalendarBucket.Day(w)),
            new(KeepReasons.Weekly, policy.KeepWeekly, (w, _) => CalendarBucket.Week(w)),
            new(KeepReasons.Monthly, policy.KeepMonthly, (w, _) => CalendarBucket.Month(w)),
            new(KeepReasons.Yearly, policy.KeepYearly, (w, _) => CalendarBucket.Year(w)),
        };
        rules.RemoveAll(r => r.Remaining == 0);

        var withinAfter = WithinCutoff(policy.KeepWithin, list, zone, now);
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
                if (rule.Remaining == 0) continue;
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

    /// <summary>Null when keep-within is not set or keeps everything.</summary>
    private static DateTimeOffset? WithinCutoff(RetentionDuration within, List<RetentionCandidate> newestFirst, TimeZoneInfo zone, DateTimeOffset? now)
    {
        if (within.IsZero) return null;
        // restic measures from the newest snapshot that is not in the future; with none, from the zero time, so
        // that every snapshot is "within".
        var reference = now is { } n ? newestFirst.FirstOrDefault(s => s.Time < n)?.Time : newestFirst[0].Time;
        if (reference is null) return DateTimeOffset.MinValue;
        return within.Before(reference.Value, zone) ?? DateTimeOffset.MinValue;
    }

    private sealed class BucketRule(string name, int count, Func<DateTime, int, long> bucket)
    {
        public string Name { get; } = name;
        public Func<DateTime, int, long> Bucket { get; } = bucket;
        /// <summary>Snapshots this rule may still keep; negative: unlimited.</summary>
        public int Remaining { get; set; } = count;
        public long? LastKept { get; set; }
    }
}
