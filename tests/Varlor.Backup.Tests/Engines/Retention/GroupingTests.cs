using Varlor.Backup.Engines.Retention;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Snapshots;
using static Varlor.Backup.Tests.Engines.Retention.RetentionCases;

namespace Varlor.Backup.Tests.Engines.Retention;

public sealed class GroupingTests
{
    private static ulong _next;

    private static Snapshot S(string utc, string host, string[] paths, params string[] tags) => new()
    {
        Time = At(utc), Hostname = host, Paths = [.. paths], Tags = [.. tags], Tree = default,
        Id = new BlobId(1, 0, 0, Interlocked.Increment(ref _next)),
    };

    private static readonly Snapshot[] Mixed =
    [
        S("2026-05-01T00:00", "db1", ["/dump"], "db"),
        S("2026-05-02T00:00", "db1", ["/dump"], "db", "pre-deployment"),
        S("2026-05-03T00:00", "web1", ["/data", "/logs"], "files"),
        S("2026-05-04T00:00", "web1", ["/logs", "/data"], "files"),   // same paths, other order: same group
        S("2026-05-05T00:00", "web1", ["/data"], "files"),
    ];

    [Fact]
    public void Default_groups_by_host_and_sorted_paths()
    {
        var groups = SnapshotGrouper.Group(Mixed, SnapshotGroupBy.Default);
        Assert.Equal(["host db1, paths /dump", "host web1, paths /data", "host web1, paths /data /logs"], groups.Select(g => g.Key.ToString()));
        Assert.Equal([2, 1, 2], groups.Select(g => g.Snapshots.Count));
    }

    [Fact]
    public void Group_by_tags_and_by_nothing()
    {
        var byTags = SnapshotGrouper.Group(Mixed, SnapshotGroupBy.Parse("tags"));
        Assert.Equal(["tags db", "tags db,pre-deployment", "tags files"], byTags.Select(g => g.Key.ToString()));
        var one = SnapshotGrouper.Group(Mixed, SnapshotGroupBy.Parse(""));
        Assert.Equal("all snapshots", Assert.Single(one).Key.ToString());
        Assert.Equal(new SnapshotGroupBy(true, true, true), SnapshotGroupBy.Parse("host, paths,tags"));
        Assert.Throws<RetentionPolicyException>(() => SnapshotGroupBy.Parse("host,user"));
    }

    [Fact]
    public void The_policy_applies_to_each_group()
    {
        var result = RetentionEngine.ApplyGrouped(new RetentionPolicy { KeepLast = 1 }, Mixed, SnapshotGroupBy.Default, Utc);
        Assert.Equal([["2026-05-02T00:00"], ["2026-05-05T00:00"], ["2026-05-04T00:00"]], result.Select(g => Kept(g.Decisions)));
        Assert.Equal([["2026-05-01T00:00"], [], ["2026-05-03T00:00"]], result.Select(g => Removed(g.Decisions)));
        var all = RetentionEngine.ApplyGrouped(new RetentionPolicy { KeepLast = 1 }, Mixed, SnapshotGroupBy.Parse(""), Utc);
        Assert.Equal(["2026-05-05T00:00"], Kept(Assert.Single(all).Decisions));
    }
}
