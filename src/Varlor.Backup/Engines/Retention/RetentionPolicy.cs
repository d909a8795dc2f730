using System.Collections.Frozen;
using System.Globalization;

namespace Varlor.Backup.Engines.Retention;

/// <summary>
/// Which snapshots of a group to keep, with restic's rules: each count keeps the newest snapshot of each of the last
/// N hours/days/ISO weeks/months/years that have one (<see cref="Unlimited"/> for all of them, 0 for none);
/// <see cref="KeepWithin"/> keeps every snapshot newer than the newest snapshot minus that duration;
/// <see cref="KeepWithinDaily"/> and its siblings keep the newest snapshot of each hour/day/ISO week/month/year among
/// the snapshots newer than the newest snapshot minus their duration (restic's <c>--keep-within-daily</c> ...);
/// <see cref="KeepTags"/> keeps every snapshot carrying any of the tags.
/// </summary>
public sealed record RetentionPolicy
{
    public const int Unlimited = -1;

    public int KeepLast { get; init; }
    public int KeepHourly { get; init; }
    public int KeepDaily { get; init; }
    public int KeepWeekly { get; init; }
    public int KeepMonthly { get; init; }
    public int KeepYearly { get; init; }
    public RetentionDuration KeepWithin { get; init; }
    public RetentionDuration KeepWithinHourly { get; init; }
    public RetentionDuration KeepWithinDaily { get; init; }
    public RetentionDuration KeepWithinWeekly { get; init; }
    public RetentionDuration KeepWithinMonthly { get; init; }
    public RetentionDuration KeepWithinYearly { get; init; }
    public IReadOnlySet<string> KeepTags { get; init; } = FrozenSet<string>.Empty;

    /// <summary>No rule at all: applying it would remove every snapshot, so it is refused.</summary>
    public bool IsEmpty =>
        KeepLast == 0 && KeepHourly == 0 && KeepDaily == 0 && KeepWeekly == 0 && KeepMonthly == 0 && KeepYearly == 0
        && Durations().All(d => d.Duration.IsZero) && KeepTags.Count == 0;

    /// <summary>Throws <see cref="RetentionPolicyException"/> unless the policy can be applied.</summary>
    public void Validate()
    {
        foreach (var (name, count) in Counts())
            if (count < Unlimited)
                throw new RetentionPolicyException($"--keep-{name} {count}: counts must be 0 or more, or -1 / 'unlimited' for all");
        foreach (var (name, duration) in Durations())
            if (duration.IsNegative)
                throw new RetentionPolicyException($"--keep-{name} {duration}: negative durations are not allowed");
        if (KeepTags.Any(string.IsNullOrEmpty))
            throw new RetentionPolicyException("--keep-tag: a tag cannot be empty");
        if (IsEmpty)
            throw new RetentionPolicyException(
                "no retention rule given: it would remove every snapshot; use --keep-last, --keep-hourly, --keep-daily, --keep-weekly, --keep-monthly, --keep-yearly, --keep-within, --keep-within-daily (or -hourly, -weekly, -monthly, -yearly) or --keep-tag");
    }

    private IEnumerable<(string Name, int Count)> Counts() =>
    [
        (KeepReasons.Last, KeepLast), (KeepReasons.Hourly, KeepHourly), (KeepReasons.Daily, KeepDaily),
        (KeepReasons.Weekly, KeepWeekly), (KeepReasons.Monthly, KeepMonthly), (KeepReasons.Yearly, KeepYearly),
    ];

    /// <summary>Each duration rule by its reason (see <see cref="KeepReasons"/>), in restic's order.</summary>
    public IEnumerable<(string Name, RetentionDuration Duration)> Durations() =>
    [
        (KeepReasons.Within, KeepWithin), (KeepReasons.WithinHourly, KeepWithinHourly), (KeepReasons.WithinDaily, KeepWithinDaily),
        (KeepReasons.WithinWeekly, KeepWithinWeekly), (KeepReasons.WithinMonthly, KeepWithinMonthly), (KeepReasons.WithinYearly, KeepWithinYearly),
    ];

    /// <summary>In words, e.g. "keep 7 daily, 4 weekly, all monthly snapshots, snapshots within 1y of the newest, the
    /// newest snapshot of each day in the 30d, year in the 2y before the newest, snapshots tagged pre-deployment".</summary>
    public string Describe()
    {
        var parts = new List<string>();
        var counts = Counts().Where(c => c.Count != 0)
            .Select(c => (c.Count == Unlimited ? "all" : c.Count.ToString(CultureInfo.InvariantCulture)) + " " + c.Name).ToList();
        if (counts.Count > 0) parts.Add(string.Join(", ", counts) + " snapshots");
        if (!KeepWithin.IsZero) parts.Add($"snapshots within {KeepWithin} of the newest");
        var periods = new[]
        {
            ("hour", KeepWithinHourly), ("day", KeepWithinDaily), ("ISO week", KeepWithinWeekly), ("month", KeepWithinMonthly), ("year", KeepWithinYearly),
        }.Where(p => !p.Item2.IsZero).Select(p => $"{p.Item1} in the {p.Item2}").ToList();
        if (periods.Count > 0) parts.Add("the newest snapshot of each " + string.Join(", ", periods) + " before the newest");
        if (KeepTags.Count > 0) parts.Add("snapshots tagged " + string.Join(" or ", KeepTags.Order(StringComparer.Ordinal)));
        return "keep " + string.Join(", ", parts);
    }
}
