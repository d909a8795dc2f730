using Varlor.Backup.Engines.Checking;
using Varlor.Backup.Engines.Repairing;
using Varlor.Backup.Tests.Support;

namespace Varlor.Backup.Tests.Engines.Repairing;

public sealed class RepairTests
{
    private static async Task<CheckReport> CheckAsync(TestRepo test)
    {
        using var repo = await test.OpenAsync();
        return await new Checker(repo).RunAsync(new CheckOptions { ReadData = true }, CancellationToken.None);
    }

    [Fact]
    public async Task A_lost_index_is_rebuilt_from_the_packs()
    {
        using var test = new TestRepo();
        var source = test.Dir.Sub("source");
        new TreeGenerator(51).Generate(source);
        var snap = await test.BackupAsync(source);
        foreach (var f in Directory.GetFiles(test.RepoPath + "/index")) File.Delete(f);
        Assert.False((await CheckAsync(test)).Ok);

        using (var repo = await test.OpenAsync())
        {
            var report = await new IndexRepair(repo).RunAsync(readData: false, CancellationToken.None);
            Assert.True(report.Blobs > 10);
        }
        Assert.True((await CheckAsync(test)).Ok);
        var target = test.Dir.Sub("out");
        await test.RestoreAsync(snap.SnapshotId, target);
        TreeAssert.Equal(source, target + source);
    }

    [Fact]
    public async Task Damaged_data_is_dropped_only_from_the_files_that_need_it_when_asked()
    {
        using var test = new TestRepo();
        var source = test.Dir.Sub("source");
        var gen = new TreeGenerator(52);
        gen.WriteRandom(source + "/damaged.bin", 2_000_000);
        File.WriteAllText(source + "/fine.csv", "a,b\n1,2\n");
        var snap = await test.BackupAsync(source);
        var pack = Directory.GetFiles(test.RepoPath + "/data", "*", SearchOption.AllDirectories).OrderByDescending(f => new FileInfo(f).Length).First();
        var bytes = File.ReadAllBytes(pack);
        bytes[1000] ^= 0x80;
        File.WriteAllBytes(pack, bytes);

        using (var repo = await test.OpenAsync())
            Assert.Equal(1, (await new IndexRepair(repo).RunAsync(readData: true, CancellationToken.None)).DamagedBlobs);
        var afterIndex = await CheckAsync(test);
        Assert.Contains(afterIndex.AffectedFiles, f => f.Path == source + "/damaged.bin");

        List<RepairedSnapshot> repaired;
        using (var repo = await test.OpenAsync())
            repaired = await new SnapshotRepair(repo).RunAsync(forgetOriginals: true, CancellationToken.None);
        var r = Assert.Single(repaired);
        Assert.Equal([source + "/damaged.bin"], r.DroppedPaths);
        Assert.DoesNotContain((await CheckAsync(test)).AffectedFiles, f => f.Path.EndsWith("fine.csv", StringComparison.Ordinal));
        Assert.False(File.Exists(Path.Combine(test.RepoPath, "snapshots", snap.SnapshotId.ToString())));

        var target = test.Dir.Sub("out");
        await test.RestoreAsync(r.Repaired, target);
        Assert.Equal("a,b\n1,2\n", File.ReadAllText(target + source + "/fine.csv"));
        Assert.False(File.Exists(target + source + "/damaged.bin"));

        // The next backup stores the data again; prune then rewrites the damaged pack, and the repository is whole.
        var again = await test.BackupAsync(source);
        Assert.True(again.Snapshot.Summary!.DataAdded > 0);
        using (var repo = await test.OpenAsync())
            await new Varlor.Backup.Engines.Pruning.Pruner(repo).RunAsync(new() { MaxUnused = 0 }, CancellationToken.None);
        var check = await CheckAsync(test);
        Assert.True(check.Ok, string.Join("; ", check.Errors));
        Assert.DoesNotContain(Path.GetFileName(pack), Directory.GetFiles(test.RepoPath + "/data", "*", SearchOption.AllDirectories).Select(Path.GetFileName));
        var latest = test.Dir.Sub("latest");
        await test.RestoreAsync(again.SnapshotId, latest);
        TreeAssert.Equal(source, latest + source);
    }
}
