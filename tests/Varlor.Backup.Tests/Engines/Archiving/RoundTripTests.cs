using Varlor.Backup.Engines.Archiving;
using Varlor.Backup.Tests.Support;

namespace Varlor.Backup.Tests.Engines.Archiving;

public sealed class RoundTripTests
{
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public async Task Random_trees_with_random_edits_restore_exactly(int seed)
    {
        using var repo = new TestRepo();
        var source = repo.Dir.Sub("source");
        var gen = new TreeGenerator(seed);
        gen.Generate(source);
        var first = await repo.BackupAsync(source);
        var firstCopy = repo.Dir.Sub("expected-1");
        await repo.RestoreAsync(first.SnapshotId, firstCopy);
        TreeAssert.Equal(source, firstCopy + source);

        var before = TreeAssert.Describe(source);
        gen.Mutate(source);
        gen.Mutate(source);
        var second = await repo.BackupAsync(source);
        Assert.Equal(first.SnapshotId, second.Snapshot.Parent);

        var restored2 = repo.Dir.Sub("restored-2");
        await repo.RestoreAsync(second.SnapshotId, restored2);
        TreeAssert.Equal(source, restored2 + source);

        // The first snapshot still restores the tree as it was before the edits.
        var restored1 = repo.Dir.Sub("restored-1");
        await repo.RestoreAsync(first.SnapshotId, restored1);
        Assert.Equal(before, TreeAssert.Describe(restored1 + source));
    }

    [Fact]
    public async Task Unchanged_tree_is_not_read_again_and_adds_only_a_few_bytes()
    {
        using var repo = new TestRepo();
        var source = repo.Dir.Sub("source");
        new TreeGenerator(5).Generate(source, tenants: 4, datasetsPerTenant: 5);
        var first = await repo.BackupAsync(source);
        var second = await repo.BackupAsync(source);
        var s = second.Snapshot.Summary!;
        Assert.Equal(0, s.BytesRead);
        Assert.Equal(0, s.FilesNew + s.FilesChanged);
        Assert.Equal(first.Snapshot.Summary!.TotalFilesProcessed, s.FilesUnmodified + CountSymlinks(source));
        // The source folder's tree is the same blob (its ancestors, like /tmp, may have changed meanwhile).
        using var r = await repo.OpenAsync();
        await r.LoadIndexAsync(CancellationToken.None);
        Assert.Equal(await SubtreeAsync(r, first.Snapshot.Tree, source), await SubtreeAsync(r, second.Snapshot.Tree, source));
        Assert.True(s.DataAdded < 4096, $"added {s.DataAdded} bytes");

        // --force reads everything again, still stores nothing new.
        var forced = (await repo.BackupAsync(source, new BackupOptions { Paths = [source], Force = true })).Snapshot.Summary!;
        Assert.Equal(first.Snapshot.Summary!.TotalBytesProcessed, forced.BytesRead);
        Assert.Equal(0, forced.FilesNew);
        Assert.True(forced.DataAdded < 4096);
    }

    private static async Task<Varlor.Backup.Repository.BlobId?> SubtreeAsync(Varlor.Backup.Repository.Repository repo, Varlor.Backup.Repository.BlobId root, string path)
    {
        await foreach (var (p, node) in Varlor.Backup.Engines.Diffing.TreeWalker.WalkAsync(repo, root, path, CancellationToken.None))
            if (p == path) return node.Subtree;
        return null;
    }

    private static long CountSymlinks(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).Count(p => new FileInfo(p).LinkTarget is not null);

    [Fact]
    public async Task The_same_data_twice_is_stored_once()
    {
        using var repo = new TestRepo();
        var source = repo.Dir.Sub("source");
        var gen = new TreeGenerator(6);
        gen.WriteRandom(Path.Combine(source, "a.bin"), 6_000_000);
        var first = await repo.BackupAsync(source);
        File.Copy(Path.Combine(source, "a.bin"), Path.Combine(source, "copy-of-a.bin"));
        var second = await repo.BackupAsync(source);
        Assert.True(first.Snapshot.Summary!.DataAdded > 6_000_000);
        Assert.True(second.Snapshot.Summary!.DataAdded < 2_000, $"added {second.Snapshot.Summary.DataAdded} bytes");
    }

    [Fact]
    public async Task A_row_inserted_in_the_middle_of_a_large_csv_adds_about_one_chunk()
    {
        using var repo = new TestRepo();
        var source = repo.Dir.Sub("source");
        var csv = Path.Combine(source, "big.csv");
        new TreeGenerator(7).WriteCsv(csv, 600_000); // ~27 MB, ~25 chunks
        var first = await repo.BackupAsync(source);
        var lines = File.ReadAllLines(csv).ToList();
        lines.Insert(lines.Count / 2, "999999,2026-01-01T00:00:00Z,1.5,inserted,cat1");
        File.WriteAllLines(csv, lines);
        var second = await repo.BackupAsync(source);
        var fileSize = new FileInfo(csv).Length;
        Assert.True(first.Snapshot.Summary!.DataAddedRaw >= fileSize - 1000);
        // Two chunks at most (the one holding the row, and one if the cut point moved), never the file.
        Assert.InRange(second.Snapshot.Summary!.BlobsAdded - 3 /* trees */, 0, 2);
        Assert.True(second.Snapshot.Summary.DataAddedRaw < fileSize / 5, $"added {second.Snapshot.Summary.DataAddedRaw} of {fileSize}");
    }

    [Fact]
    public async Task Excluded_names_and_paths_are_left_out()
    {
        using var repo = new TestRepo();
        var source = repo.Dir.Sub("source");
        File.WriteAllText(Path.Combine(source, "keep.csv"), "a");
        File.WriteAllText(Path.Combine(source, "skip.tmp"), "b");
        Directory.CreateDirectory(Path.Combine(source, "cache"));
        File.WriteAllText(Path.Combine(source, "cache", "x"), "c");
        var result = await repo.BackupAsync(source, new BackupOptions { Paths = [source], Excludes = ["*.tmp", source + "/cache"] });
        var target = repo.Dir.Sub("out");
        await repo.RestoreAsync(result.SnapshotId, target);
        Assert.True(File.Exists(target + source + "/keep.csv"));
        Assert.False(File.Exists(target + source + "/skip.tmp"));
        Assert.False(Directory.Exists(target + source + "/cache"));
    }

    [Fact]
    public async Task A_path_that_does_not_exist_is_a_clear_error()
    {
        using var repo = new TestRepo();
        var e = await Assert.ThrowsAsync<Varlor.Backup.Repository.VarlorException>(() => repo.BackupAsync("/nonexistent/varlor"));
        Assert.Contains("does not exist", e.Message);
        Assert.Empty(Directory.GetFiles(Path.Combine(repo.RepoPath, "snapshots")));
    }
}
