using Varlor.Backup.Engines.Checking;
using Varlor.Backup.Engines.Pruning;
using Varlor.Backup.Repository;
using Varlor.Backup.Tests.Support;

namespace Varlor.Backup.Tests.Engines.Pruning;

public sealed class PrunerTests
{
    private static long RepoBytes(TestRepo repo) =>
        Directory.GetFiles(repo.RepoPath + "/data", "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

    private static async Task<PruneReport> PruneAsync(TestRepo test, double maxUnused = 0.05, bool dryRun = false)
    {
        using var repo = await test.OpenAsync();
        return await new Pruner(repo).RunAsync(new PruneOptions { MaxUnused = maxUnused, DryRun = dryRun }, CancellationToken.None);
    }

    private static async Task AssertHealthyAsync(TestRepo test)
    {
        using var repo = await test.OpenAsync();
        var report = await new Checker(repo).RunAsync(new CheckOptions { ReadData = true }, CancellationToken.None);
        Assert.True(report.Ok, string.Join("; ", report.Errors));
        Assert.Empty(report.Warnings);
    }

    private static void Forget(TestRepo test, BlobId snapshot) => File.Delete(Path.Combine(test.RepoPath, "snapshots", snapshot.ToString()));

    [Fact]
    public async Task Data_of_forgotten_snapshots_is_removed_and_the_rest_restores()
    {
        using var test = new TestRepo();
        var source = test.Dir.Sub("source");
        var gen = new TreeGenerator(41);
        gen.WriteRandom(source + "/old.bin", 5_000_000);
        var first = await test.BackupAsync(source);
        File.Delete(source + "/old.bin");
        gen.WriteRandom(source + "/new.bin", 3_000_000);
        var second = await test.BackupAsync(source);
        var before = RepoBytes(test);

        var dry = await PruneAsync(test, dryRun: true);
        Assert.Equal(0, dry.PacksDeleted);
        Assert.Equal(before, RepoBytes(test));

        Forget(test, first.SnapshotId);
        var dryAfterForget = await PruneAsync(test, dryRun: true);
        Assert.True(dryAfterForget.BytesFreed >= 5_000_000);
        Assert.Equal(before, RepoBytes(test));

        var report = await PruneAsync(test);
        Assert.True(report.BytesFreed >= 5_000_000);
        Assert.InRange(RepoBytes(test), 3_000_000, before - 5_000_000);
        await AssertHealthyAsync(test);
        var target = test.Dir.Sub("out");
        await test.RestoreAsync(second.SnapshotId, target);
        TreeAssert.Equal(source, target + source);

        var again = await PruneAsync(test);
        Assert.Equal(0, again.PacksDeleted + again.PacksRepacked);
    }

    [Fact]
    public async Task Partly_used_packs_are_repacked_above_the_unused_threshold_only()
    {
        using var test = new TestRepo();
        var source = test.Dir.Sub("source");
        var gen = new TreeGenerator(42);
        gen.WriteRandom(source + "/keep.bin", 2_000_000);
        gen.WriteRandom(source + "/drop.bin", 2_000_000);
        var first = await test.BackupAsync(source); // both files in one pack
        File.Delete(source + "/drop.bin");
        var second = await test.BackupAsync(source);
        Forget(test, first.SnapshotId);

        var tolerant = await PruneAsync(test, maxUnused: 2.0, dryRun: true); // 200% unused tolerated: keep the pack
        Assert.Equal(0, tolerant.PacksRepacked);
        var report = await PruneAsync(test, maxUnused: 0.05);
        Assert.Equal(1, report.PacksRepacked);
        Assert.InRange(RepoBytes(test), 2_000_000, 2_600_000);
        await AssertHealthyAsync(test);
        var target = test.Dir.Sub("out");
        await test.RestoreAsync(second.SnapshotId, target);
        TreeAssert.Equal(source, target + source);
    }

    [Fact]
    public async Task Packs_left_by_an_interrupted_backup_are_indexed_or_removed()
    {
        using var test = new TestRepo();
        var source = test.Dir.Sub("source");
        new TreeGenerator(43).WriteRandom(source + "/a.bin", 3_000_000);
        var kept = await test.BackupAsync(source);
        // Simulate a backup killed after writing packs: drop the index file its data would have been named in.
        var gen = new TreeGenerator(44);
        gen.WriteRandom(source + "/b.bin", 3_000_000);
        var orphan = await test.BackupAsync(source);
        Forget(test, orphan.SnapshotId);
        foreach (var index in Directory.GetFiles(test.RepoPath + "/index").OrderBy(f => File.GetLastWriteTimeUtc(f)).Skip(1))
            File.Delete(index);

        await PruneAsync(test);
        await AssertHealthyAsync(test);
        var target = test.Dir.Sub("out");
        await test.RestoreAsync(kept.SnapshotId, target, source + "/a.bin");
        Assert.Equal(File.ReadAllBytes(source + "/a.bin"), File.ReadAllBytes(target + source + "/a.bin"));
        Assert.InRange(RepoBytes(test), 3_000_000, 4_000_000);
    }

    [Fact]
    public async Task Prune_refuses_when_data_a_snapshot_needs_is_lost()
    {
        using var test = new TestRepo();
        var source = test.Dir.Sub("source");
        new TreeGenerator(45).WriteRandom(source + "/a.bin", 1_000_000);
        await test.BackupAsync(source);
        foreach (var f in Directory.GetFiles(test.RepoPath + "/data", "*", SearchOption.AllDirectories).OrderByDescending(f => new FileInfo(f).Length).Take(1))
            File.Delete(f);
        var files = Directory.GetFiles(test.RepoPath, "*", SearchOption.AllDirectories).Order().ToArray();
        var e = await Assert.ThrowsAsync<VarlorException>(() => PruneAsync(test));
        Assert.Contains("lost", e.Message);
        Assert.Equal(files, Directory.GetFiles(test.RepoPath, "*", SearchOption.AllDirectories).Order().ToArray());
    }
}
