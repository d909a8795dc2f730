using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Locks;
using Varlor.Backup.Storage;
using Varlor.Backup.Tests.Support;

namespace Varlor.Backup.Tests.Repository;

public sealed class RepositoryTests
{
    [Fact]
    public void Stored_documents_use_the_documented_json_names()
    {
        // docs/repository-format.md: snake_case fields, enum values in lower case, no nulls.
        var tree = new Varlor.Backup.Repository.Trees.Tree([new() { Name = "d", Type = Varlor.Backup.Repository.Trees.NodeType.Dir, MtimeNs = 5, Subtree = new BlobId(1, 2, 3, 4) }]);
        var json = System.Text.Encoding.UTF8.GetString(Varlor.Backup.Repository.Repository.EncodeTree(tree));
        Assert.Contains("\"type\":\"dir\"", json);
        Assert.Contains("\"mtime_ns\":5", json);
        Assert.Contains("\"subtree\":\"0000000000000001000000000000000200000000000000030000000000000004\"", json);
        Assert.DoesNotContain("link_target", json);
        var index = System.Text.Json.JsonSerializer.Serialize(new Varlor.Backup.Repository.Index.IndexDocument(
            [new(new BlobId(1, 1, 1, 1), [new(new BlobId(2, 2, 2, 2), BlobType.Tree, 0, 10, 20, true)])]), RepoJson.Options);
        Assert.Contains("\"type\":\"tree\"", index);
        Assert.Contains("\"raw_length\":20", index);
    }

    [Fact]
    public async Task A_wrong_password_opens_nothing()
    {
        using var repo = new TestRepo();
        await Assert.ThrowsAsync<WrongPasswordException>(() => repo.OpenAsync("not the password"));
    }

    [Fact]
    public async Task A_missing_repository_is_reported_as_such()
    {
        using var dir = new TempDir();
        var e = await Assert.ThrowsAsync<RepositoryNotFoundException>(() =>
            Varlor.Backup.Repository.Repository.OpenAsync(new LocalBackend(dir.Path + "/none"), "pw", CancellationToken.None));
        Assert.Equal(ExitCodes.RepositoryNotFound, e.ExitCode);
    }

    [Fact]
    public async Task Several_passwords_open_the_same_repository_until_removed()
    {
        using var test = new TestRepo();
        string second;
        using (var repo = await test.OpenAsync())
            second = await repo.AddKeyAsync("second password", CancellationToken.None);
        using (var repo = await test.OpenAsync("second password"))
        {
            Assert.Equal(second, repo.KeyName);
            await Assert.ThrowsAsync<VarlorException>(() => repo.RemoveKeyAsync(second, CancellationToken.None));
            Assert.Equal(2, (await repo.ListKeysAsync(CancellationToken.None)).Count);
        }
        using (var repo = await test.OpenAsync())
            await repo.RemoveKeyAsync(second, CancellationToken.None);
        await Assert.ThrowsAsync<WrongPasswordException>(() => test.OpenAsync("second password"));
    }

    [Fact]
    public async Task Nothing_stored_is_plaintext_and_every_file_name_is_its_hash()
    {
        using var test = new TestRepo();
        var source = test.Dir.Sub("source");
        File.WriteAllText(source + "/secret.csv", string.Concat(Enumerable.Repeat("tenant-abc,very-secret-value\n", 1000)));
        await test.BackupAsync(source);
        foreach (var file in Directory.GetFiles(test.RepoPath, "*", SearchOption.AllDirectories))
        {
            var bytes = await File.ReadAllBytesAsync(file);
            var text = System.Text.Encoding.Latin1.GetString(bytes);
            Assert.DoesNotContain("very-secret-value", text);
            Assert.DoesNotContain("secret.csv", text);
            if (Path.GetFileName(file) != "config")
                Assert.Equal(Path.GetFileName(file), Convert.ToHexStringLower(System.Security.Cryptography.SHA256.HashData(bytes)));
        }
    }

    [Fact]
    public async Task Snapshot_ids_resolve_by_latest_and_unique_prefix()
    {
        using var test = new TestRepo();
        var source = test.Dir.Sub("source");
        File.WriteAllText(source + "/a", "a");
        var first = await test.BackupAsync(source);
        File.WriteAllText(source + "/b", "b");
        var second = await test.BackupAsync(source);
        using var repo = await test.OpenAsync();
        Assert.Equal(second.SnapshotId, (await repo.FindSnapshotAsync("latest", CancellationToken.None)).Id);
        Assert.Equal(first.SnapshotId, (await repo.FindSnapshotAsync(first.SnapshotId.ToString()[..8], CancellationToken.None)).Id);
        await Assert.ThrowsAsync<VarlorException>(() => repo.FindSnapshotAsync("ffffffffff", CancellationToken.None));
        await Assert.ThrowsAsync<VarlorException>(() => repo.FindSnapshotAsync("x", CancellationToken.None));
    }

    [Fact]
    public async Task An_exclusive_lock_keeps_others_out_until_released()
    {
        using var test = new TestRepo();
        using var repo = await test.OpenAsync();
        await using (var shared = await RepositoryLock.AcquireAsync(repo, exclusive: false, "backup", CancellationToken.None))
        {
            await using var shared2 = await RepositoryLock.AcquireAsync(repo, exclusive: false, "backup", CancellationToken.None);
            var e = await Assert.ThrowsAsync<RepositoryLockedException>(() => RepositoryLock.AcquireAsync(repo, exclusive: true, "prune", CancellationToken.None));
            Assert.Contains("pid " + Environment.ProcessId, e.Message);
        }
        await using var exclusive = await RepositoryLock.AcquireAsync(repo, exclusive: true, "prune", CancellationToken.None);
        await Assert.ThrowsAsync<RepositoryLockedException>(() => RepositoryLock.AcquireAsync(repo, exclusive: false, "backup", CancellationToken.None));
    }

    [Fact]
    public async Task An_interrupted_backup_leaves_packs_the_next_backup_reuses()
    {
        using var test = new TestRepo();
        var source = test.Dir.Sub("source");
        var gen = new TreeGenerator(21);
        for (var i = 0; i < 6; i++) gen.WriteRandom($"{source}/f{i}.bin", 8_000_000);

        using var cts = new CancellationTokenSource();
        var watcher = Task.Run(async () =>
        {
            // Cancel as soon as the first pack is durable.
            while (Directory.GetFiles(test.RepoPath + "/data", "*", SearchOption.AllDirectories).All(f => Path.GetFileName(f).StartsWith('.')))
                await Task.Delay(5);
            await cts.CancelAsync();
        });
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => test.BackupAsync(source, ct: cts.Token));
        await watcher;
        Assert.Empty(Directory.GetFiles(test.RepoPath + "/snapshots"));
        var packedBefore = Directory.GetFiles(test.RepoPath + "/data", "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);
        Assert.True(packedBefore > 10_000_000);

        var result = await test.BackupAsync(source);
        Assert.True(result.Snapshot.Summary!.DataAdded <= 48_000_000 + 100_000 - packedBefore + 1_000_000,
            $"re-uploaded: added {result.Snapshot.Summary.DataAdded} with {packedBefore} already packed");
        var target = test.Dir.Sub("out");
        await test.RestoreAsync(result.SnapshotId, target);
        TreeAssert.Equal(source, target + source);
    }
}
