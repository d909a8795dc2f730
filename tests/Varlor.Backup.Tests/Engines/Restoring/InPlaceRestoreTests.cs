using Varlor.Backup.Engines.FileSystem;
using Varlor.Backup.Engines.Restoring;
using Varlor.Backup.Repository;
using Varlor.Backup.Tests.Support;

namespace Varlor.Backup.Tests.Engines.Restoring;

/// <summary>
/// Restoring over the live tree with --target / (the temporary folders stand for /var/www/varlor: their absolute
/// paths are what the snapshot holds, so "/" as target puts files back where they were).
/// </summary>
public sealed class InPlaceRestoreTests
{
    private static async Task<RestoreResult> RestoreAsync(TestRepo test, BlobId snapshot, RestoreOptions options)
    {
        using var repo = await test.OpenAsync();
        var snap = await repo.LoadSnapshotAsync(snapshot, CancellationToken.None);
        return await new Restorer(repo).RunAsync(snap, options, CancellationToken.None);
    }

    /// <summary>Everything under <paramref name="root"/> except <paramref name="inside"/> and what lies in it, as TreeAssert describes it.</summary>
    private static Dictionary<string, string> Outside(string root, string inside)
    {
        var rel = Path.GetRelativePath(root, inside);
        return TreeAssert.Describe(root).Where(kv => kv.Key != rel && !kv.Key.StartsWith(rel + "/", StringComparison.Ordinal))
            .ToDictionary(kv => kv.Key, kv => kv.Value);
    }

    private static string[] TempFiles(string root) =>
        Directory.GetFiles(root, ".varlor-restore-*", SearchOption.AllDirectories);

    [Fact]
    public async Task One_dataset_is_put_back_in_place_and_nothing_else_changes()
    {
        using var test = new TestRepo();
        var live = test.Dir.Sub("varlor");
        new TreeGenerator(21).Generate(live);
        var dataset = live + "/storage/datasets/tenant-1/1001";
        File.WriteAllText(dataset + "/notes.txt", "as backed up\n");
        var snap = (await test.BackupAsync(live)).SnapshotId;
        var asBackedUp = TreeAssert.Describe(dataset);

        // After the backup: the dataset is damaged and gains a file; elsewhere, files change and appear.
        File.WriteAllText(dataset + "/export.csv", "damaged\n");
        File.Delete(dataset + "/notes.txt");
        File.WriteAllText(dataset + "/added-later.csv", "a,b\n");
        File.AppendAllText(live + "/storage/datasets/tenant-0/1000/export.csv", "changed,after,backup\n");
        File.WriteAllText(live + "/storage/datasets/tenant-1/1000/new.csv", "new\n");
        File.WriteAllText(live + "/storage/datasets/tenant-2/new-tenant-file", "new\n");
        var outside = Outside(test.Dir.Path, dataset);

        var result = await RestoreAsync(test, snap, new RestoreOptions { Target = "/", Includes = [dataset] });
        Assert.Empty(result.Errors);
        Assert.Equal(2, result.FilesRestored); // export.csv replaced, notes.txt created
        Assert.Equal("as backed up\n", File.ReadAllText(dataset + "/notes.txt"));
        Assert.Equal("a,b\n", File.ReadAllText(dataset + "/added-later.csv")); // kept without --delete
        Assert.Equal(asBackedUp["export.csv"], TreeAssert.Describe(dataset)["export.csv"]);
        Assert.Equal(outside, Outside(test.Dir.Path, dataset));

        var deleting = await RestoreAsync(test, snap, new RestoreOptions { Target = "/", Includes = [dataset], Delete = true });
        Assert.Empty(deleting.Errors);
        Assert.Equal(1, deleting.Deleted);
        Assert.Equal(0, deleting.FilesRestored);
        Assert.Equal(asBackedUp, TreeAssert.Describe(dataset)); // the folder exactly as it was, mtimes included
        Assert.Equal(outside, Outside(test.Dir.Path, dataset)); // nothing outside deleted or touched
        Assert.Empty(TempFiles(test.Dir.Path));
    }

    [Fact]
    public async Task Without_includes_delete_stays_within_the_snapshots_own_paths()
    {
        using var test = new TestRepo();
        var live = test.Dir.Sub("varlor");
        new TreeGenerator(22).Generate(live, tenants: 2, datasetsPerTenant: 2);
        var snap = (await test.BackupAsync(live)).SnapshotId;
        var asBackedUp = TreeAssert.Describe(live);

        File.WriteAllText(live + "/storage/datasets/tenant-0/extra.csv", "x\n");
        Directory.CreateDirectory(live + "/storage/datasets/tenant-9/1");
        File.WriteAllText(test.Dir.Path + "/beside-the-backed-up-folder", "keep me\n");
        var beside = Outside(test.Dir.Path, live);

        var result = await RestoreAsync(test, snap, new RestoreOptions { Target = "/", Delete = true });
        Assert.Empty(result.Errors);
        Assert.Equal(2, result.Deleted); // extra.csv, and tenant-9 with its content
        Assert.Equal(asBackedUp, TreeAssert.Describe(live));
        // The folder holding the backed-up path (and the repository in it) is on the way, not restored.
        Assert.Equal(beside, Outside(test.Dir.Path, live));
    }

    [Fact]
    public async Task An_include_above_the_backed_up_path_deletes_nothing_beside_it()
    {
        using var test = new TestRepo();
        var live = test.Dir.Sub("varlor");
        File.WriteAllText(live + "/a.csv", "a\n");
        var snap = (await test.BackupAsync(live)).SnapshotId;
        File.WriteAllText(live + "/added.csv", "x\n");
        File.WriteAllText(test.Dir.Path + "/never-backed-up", "keep me\n");
        var beside = Outside(test.Dir.Path, live);

        // The snapshot's tree holds the test folder only as the way to varlor/: its other entries were never backed up.
        var result = await RestoreAsync(test, snap, new RestoreOptions { Target = "/", Includes = [test.Dir.Path], Delete = true });
        Assert.Empty(result.Errors);
        Assert.Equal(1, result.Deleted);
        Assert.False(File.Exists(live + "/added.csv"));
        Assert.Equal(beside, Outside(test.Dir.Path, live));
    }

    [Fact]
    public async Task A_dry_run_lists_each_change_and_makes_none()
    {
        using var test = new TestRepo();
        var live = test.Dir.Sub("varlor");
        var dataset = live + "/storage/datasets/tenant-a/7";
        Directory.CreateDirectory(dataset + "/parts");
        File.WriteAllText(dataset + "/same.csv", "same\n");
        File.WriteAllText(dataset + "/changed.csv", "before\n");
        File.WriteAllText(dataset + "/removed.csv", "removed\n");
        File.WriteAllText(dataset + "/parts/p1", "p1\n");
        File.CreateSymbolicLink(dataset + "/latest", "same.csv");
        var snap = (await test.BackupAsync(live)).SnapshotId;

        File.WriteAllText(dataset + "/changed.csv", "after\n");
        File.Delete(dataset + "/removed.csv");
        Directory.Delete(dataset + "/parts", recursive: true);
        File.WriteAllText(dataset + "/added.csv", "added\n");
        var before = TreeAssert.Describe(test.Dir.Path);

        var result = await RestoreAsync(test, snap, new RestoreOptions { Target = "/", Includes = [dataset], Delete = true, DryRun = true });
        Assert.Empty(result.Errors);
        Assert.Equal(before, TreeAssert.Describe(test.Dir.Path));
        Assert.Equal(
            new[]
            {
                (RestoreAction.Create, dataset + "/parts"), (RestoreAction.Create, dataset + "/parts/p1"),
                (RestoreAction.Create, dataset + "/removed.csv"), (RestoreAction.Delete, dataset + "/added.csv"),
                (RestoreAction.Replace, dataset + "/changed.csv"),
            }.Order(),
            result.Changes.Select(c => (c.Action, c.Path)).Order());
        Assert.Equal((3, 1, 1, 2), (result.Created, result.Replaced, result.Deleted, result.Unchanged)); // same.csv and the symlink unchanged
        Assert.Equal(0, result.FilesRestored);
    }

    [Fact]
    public async Task A_target_file_hard_linked_outside_is_replaced_and_the_outside_file_keeps_its_metadata()
    {
        using var test = new TestRepo();
        var live = test.Dir.Sub("varlor");
        File.WriteAllText(live + "/data.csv", "id\n1\n");
        File.SetUnixFileMode(live + "/data.csv", (UnixFileMode)0x1A4); // 0644
        var snap = (await test.BackupAsync(live)).SnapshotId;

        // Somebody hard-links the file to one outside the restored tree: same bytes, other mode, time and owner.
        var outsideDir = test.Dir.Sub("elsewhere");
        var outside = outsideDir + "/secret.csv";
        File.WriteAllText(outside, "id\n1\n");
        File.SetUnixFileMode(outside, (UnixFileMode)0x180); // 0600
        File.SetLastWriteTimeUtc(outside, new DateTime(2001, 1, 1, 0, 0, 0, DateTimeKind.Utc));
        var isRoot = Environment.UserName == "root";
        if (isRoot) Assert.Equal(0, NativeMethods.lchown(outside, 4242, 4243));
        File.Delete(live + "/data.csv");
        using (var ln = System.Diagnostics.Process.Start("ln", [outside, live + "/data.csv"])) ln.WaitForExit();
        Assert.True(UnixStat.TryGet(outside, out var before, out _));

        var result = await RestoreAsync(test, snap, new RestoreOptions { Target = "/", Includes = [live] });
        Assert.Empty(result.Errors);
        Assert.Equal(1, result.Replaced);
        Assert.True(UnixStat.TryGet(outside, out var after, out _));
        Assert.Equal((before.Permissions, before.MtimeNs, before.Uid, before.Gid, 1u), (after.Permissions, after.MtimeNs, after.Uid, after.Gid, after.Links));
        Assert.Equal("id\n1\n", File.ReadAllText(outside));
        Assert.True(UnixStat.TryGet(live + "/data.csv", out var restored, out _));
        Assert.Equal((0x1A4u, 1u), (restored.Permissions, restored.Links));
        Assert.NotEqual(after.Inode, restored.Inode);
    }

    [Fact]
    public async Task A_symlink_where_a_file_belongs_is_replaced_and_what_it_points_to_is_untouched()
    {
        using var test = new TestRepo();
        var live = test.Dir.Sub("varlor");
        File.WriteAllText(live + "/data.csv", "mine\n");
        var snap = (await test.BackupAsync(live)).SnapshotId;
        var outsideDir = test.Dir.Sub("elsewhere");
        File.WriteAllText(outsideDir + "/target.csv", "theirs\n");
        File.Delete(live + "/data.csv");
        File.CreateSymbolicLink(live + "/data.csv", outsideDir + "/target.csv");
        Directory.CreateDirectory(outsideDir + "/folder");
        File.CreateSymbolicLink(live + "/folder-link", outsideDir + "/folder");
        var before = TreeAssert.Describe(outsideDir);

        var result = await RestoreAsync(test, snap, new RestoreOptions { Target = "/", Includes = [live], Delete = true });
        Assert.Empty(result.Errors);
        Assert.Equal((1, 1), (result.Replaced, result.Deleted));
        Assert.Equal(before, TreeAssert.Describe(outsideDir));
        Assert.True(UnixStat.TryGet(live + "/data.csv", out var st, out _) && st.IsFile);
        Assert.Equal("mine\n", File.ReadAllText(live + "/data.csv"));
        Assert.False(Path.Exists(live + "/folder-link"));
    }

    [Fact]
    public async Task Cancelled_midway_the_live_file_is_old_or_new_never_partial_and_no_temporary_file_remains()
    {
        using var test = new TestRepo();
        var live = test.Dir.Sub("varlor");
        new TreeGenerator(24).WriteRandom(live + "/big.bin", 48_000_000);
        var snap = (await test.BackupAsync(live)).SnapshotId;
        var original = File.ReadAllBytes(live + "/big.bin");
        using var repo = await test.OpenAsync();
        var snapshot = await repo.LoadSnapshotAsync(snap, CancellationToken.None);

        // Cancel as soon as the first bytes are written; retried in case a fast machine finishes first.
        var cancelled = false;
        for (var attempt = 0; attempt < 5 && !cancelled; attempt++)
        {
            File.WriteAllText(live + "/big.bin", "edited since");
            var restorer = new Restorer(repo);
            using var cts = new CancellationTokenSource();
            var run = restorer.RunAsync(snapshot, new RestoreOptions { Target = "/", Includes = [live], Workers = 1 }, cts.Token);
            while (!run.IsCompleted && restorer.Progress.BytesDone == 0) await Task.Delay(1);
            await cts.CancelAsync();
            try { await run; }
            catch (OperationCanceledException) { cancelled = true; }
            var now = File.ReadAllBytes(live + "/big.bin");
            Assert.True(now.AsSpan().SequenceEqual("edited since"u8) || now.AsSpan().SequenceEqual(original));
            Assert.Empty(TempFiles(test.Dir.Path));
        }
        Assert.True(cancelled);
    }

    [Fact]
    public async Task A_file_that_fails_verification_keeps_its_live_content_and_no_temporary_file_remains()
    {
        using var test = new TestRepo();
        var live = test.Dir.Sub("varlor");
        new TreeGenerator(23).WriteRandom(live + "/big.bin", 3_000_000);
        File.WriteAllText(live + "/small.txt", "hello");
        var snap = (await test.BackupAsync(live)).SnapshotId;
        File.WriteAllText(live + "/big.bin", "edited since");
        File.WriteAllText(live + "/small.txt", "edited too");

        test.FlipBitInLargestPack(1_000_000);
        var result = await RestoreAsync(test, snap, new RestoreOptions { Target = "/", Includes = [live] });
        Assert.Contains("big.bin", Assert.Single(result.Errors));
        Assert.Equal("edited since", File.ReadAllText(live + "/big.bin")); // never half-written
        Assert.Equal("hello", File.ReadAllText(live + "/small.txt"));
        Assert.Empty(TempFiles(test.Dir.Path));
    }

    [Fact]
    public async Task A_symlink_on_the_way_to_an_include_is_neither_followed_outside_nor_replaced()
    {
        using var test = new TestRepo();
        var live = test.Dir.Sub("varlor");
        Directory.CreateDirectory(live + "/storage/datasets/t");
        File.WriteAllText(live + "/storage/datasets/t/a.csv", "a\n");
        var snap = (await test.BackupAsync(live)).SnapshotId;

        // In a scratch target, the folder above the include is a symlink to a folder outside it.
        var target = test.Dir.Sub("scratch");
        var outside = test.Dir.Sub("outside");
        Directory.CreateDirectory(target + live);
        File.CreateSymbolicLink(target + live + "/storage", outside);
        var e = await Assert.ThrowsAsync<VarlorException>(() =>
            RestoreAsync(test, snap, new RestoreOptions { Target = target, Includes = [live + "/storage/datasets/t"] }));
        Assert.Contains("symlink", e.Message);
        Assert.Empty(Directory.GetFileSystemEntries(outside));
        Assert.True(UnixStat.TryGet(target + live + "/storage", out var st, out _) && st.IsSymlink);

        // A symlink that stays inside the target (a data folder moved and linked, say) is followed.
        var moved = target + "/moved-storage";
        Directory.CreateDirectory(moved);
        File.Delete(target + live + "/storage");
        File.CreateSymbolicLink(target + live + "/storage", moved);
        var result = await RestoreAsync(test, snap, new RestoreOptions { Target = target, Includes = [live + "/storage/datasets/t"] });
        Assert.Empty(result.Errors);
        Assert.Equal("a\n", File.ReadAllText(moved + "/datasets/t/a.csv"));
    }
}
