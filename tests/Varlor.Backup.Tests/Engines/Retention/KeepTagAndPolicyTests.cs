using System.Collections.Frozen;
using Varlor.Backup.Engines.Retention;
using static Varlor.Backup.Tests.Engines.Retention.RetentionCases;

namespace Varlor.Backup.Tests.Engines.Retention;

public sealed class KeepTagAndPolicyTests
{
    [Fact]
    public void Keep_tag_keeps_every_snapshot_with_any_of_the_tags_without_using_counts()
    {
        var policy = new RetentionPolicy { KeepLast = 1, KeepTags = new[] { "pre-deployment", "audit" }.ToFrozenSet(StringComparer.Ordinal) };
        var d = RetentionEngine.Apply(policy,
        [
            Snap("2026-05-05T00:00", "daily", "pre-deployment"),
            Snap("2026-05-04T00:00", "daily"),
            Snap("2026-05-03T00:00", "pre-deployment"),
            Snap("2026-05-02T00:00", "audit", "daily"),
            Snap("2026-05-01T00:00", "daily"),
        ], Utc);
        // Tag first, then the count rules (restic's order); keep-last 1 is used by the newest.
        Assert.Equal(["2026-05-05T00:00: tag, last", "2026-05-03T00:00: tag", "2026-05-02T00:00: tag"], Reasons(d));
        Assert.Equal(["2026-05-04T00:00", "2026-05-01T00:00"], Removed(d));
    }

    [Fact]
    public void Tags_are_case_sensitive()
    {
        var policy = new RetentionPolicy { KeepTags = new[] { "db" }.ToFrozenSet(StringComparer.Ordinal) };
        var d = RetentionEngine.Apply(policy, [Snap("2026-05-05T00:00", "DB"), Snap("2026-05-04T00:00", "db")], Utc);
        Assert.Equal(["2026-05-04T00:00"], Kept(d));
    }

    [Fact]
    public void An_empty_policy_is_refused()
    {
        var e = Assert.Throws<RetentionPolicyException>(() => RetentionEngine.Apply(new RetentionPolicy(), [Snap("2026-05-05T00:00")], Utc));
        Assert.Contains("no retention rule", e.Message);
        // A zero duration is no rule either.
        Assert.Throws<RetentionPolicyException>(() => new RetentionPolicy { KeepWithin = RetentionDuration.Parse("0d") }.Validate());
    }

    [Fact]
    public void Counts_below_minus_one_and_negative_durations_are_refused()
    {
        Assert.Throws<RetentionPolicyException>(() => new RetentionPolicy { KeepDaily = -2 }.Validate());
        Assert.Throws<RetentionPolicyException>(() => new RetentionPolicy { KeepWithin = new RetentionDuration(0, 0, -1, 0) }.Validate());
        new RetentionPolicy { KeepDaily = RetentionPolicy.Unlimited }.Validate();
    }

    [Fact]
    public void Describes_itself()
    {
        var p = new RetentionPolicy
        {
            KeepDaily = 30, KeepWeekly = 12, KeepMonthly = -1, KeepWithin = RetentionDuration.Parse("1y"),
            KeepTags = new[] { "pre-deployment" }.ToFrozenSet(),
        };
        Assert.Equal("keep 30 daily, 12 weekly, all monthly snapshots, snapshots within 1y of the newest, snapshots tagged pre-deployment", p.Describe());
        p = new RetentionPolicy { KeepWithinDaily = RetentionDuration.Parse("30d"), KeepWithinWeekly = RetentionDuration.Parse("12w"), KeepWithinYearly = RetentionDuration.Parse("2y") };
        Assert.Equal("keep the newest snapshot of each day in the 30d, ISO week in the 12w, year in the 2y before the newest", p.Describe());
    }
}
