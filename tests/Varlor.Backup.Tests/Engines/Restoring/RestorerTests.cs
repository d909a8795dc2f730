using Varlor.Backup.Engines.Restoring;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Packs;
using Varlor.Backup.Repository.Snapshots;
using Varlor.Backup.Repository.Trees;
using Varlor.Backup.Tests.Support;

namespace Varlor.Backup.Tests.Engines.Restoring;

public sealed class RestorerTests
{
    [Fact]
    public async Task One_tenant_one_dataset_or_one_file_can_be_restored_alone()
    {
        using var repo = new TestRepo();
        var source = repo.Dir.Sub("source");
        new TreeGenerator(11).Generate(source);
        var snap = (await repo.BackupAsync(source)).SnapshotId;
        var datasets = source + "/storage/datasets";

        var tenant = repo.Dir.Sub("tenant");
        await repo.RestoreAsync(snap, tenant, datasets + "/tenant-1");
        TreeAssert.Equal(datasets + "/tenant-1", tenant + datasets + "/tenant-1");
        Assert.False(Directory.Exists(tenant + datasets + "/tenant-0"));

        var dataset = repo.Dir.Sub("dataset");
        await repo.RestoreAsync(snap, dataset, datasets + "/tenant-2/1001");
        TreeAssert.Equal(datasets + "/tenant-2/1001", dataset + datasets + "/tenant-2/1001");
        Assert.Single(Directory.GetDirectories(dataset + datasets));

        var file = repo.Dir.Sub("file");
        var result = await repo.RestoreAsync(snap, file, datasets + "/tenant-0/1000/export.csv");
        Assert.Equal(1, result.FilesRestored);
        Assert.Equal(File.ReadAllBytes(datasets + "/tenant-0/1000/export.csv"), File.ReadAllBytes(file + datasets + "/tenant-0/1000/export.csv"));
    }

    [Fact]
    public async Task An_include_that_matches_nothing_is_an_error()
    {
        using var repo = new TestRepo();
        var source = repo.Dir.Sub("source");
        File.WriteAllText(source + "/a", "a");
        var snap = (await repo.BackupAsync(source)).SnapshotId;
        await Assert.ThrowsAsync<VarlorException>(() => repo.RestoreAsync(snap, repo.Dir.Sub("out"), "/no/such/path"));
    }

    [Fact]
    public async Task Restoring_over_an_existing_copy_rewrites_only_what_differs()
    {
        using var repo = new TestRepo();
        var source = repo.Dir.Sub("source");
        new TreeGenerator(12).Generate(source);
        var snap = (await repo.BackupAsync(source)).SnapshotId;
        var target = repo.Dir.Sub("target");
        var first = await repo.RestoreAsync(snap, target);
        Assert.True(first.FilesRestored > 5);

        var damaged = target + source + "/storage/datasets/tenant-0/1000/export.csv";
        var bytes = File.ReadAllBytes(damaged);
        bytes[bytes.Length / 2] ^= 0xFF;
        File.WriteAllBytes(damaged, bytes);
        File.Delete(target + source + "/logs/app.log");

        var second = await repo.RestoreAsync(snap, target);
        Assert.Equal(2, second.FilesRestored);
        Assert.Equal(first.FilesRestored - 2, second.FilesUnchanged);
        TreeAssert.Equal(source, target + source);
    }

    [Fact]
    public async Task A_flipped_byte_in_a_pack_is_reported_and_never_restored()
    {
        using var repo = new TestRepo();
        var source = repo.Dir.Sub("source");
        new TreeGenerator(13).WriteRandom(source + "/data.bin", 3_000_000);
        File.WriteAllText(source + "/small.txt", "hello");
        var snap = (await repo.BackupAsync(source)).SnapshotId;

        // Damage the data pack (the largest file in data/), in the middle of the blob.
        repo.FlipBitInLargestPack(1_000_000);
        var target = repo.Dir.Sub("out");
        var result = await repo.RestoreAsync(snap, target);
        var error = Assert.Single(result.Errors);
        Assert.Contains("data.bin", error);
        Assert.Contains("authentication failed", error);
        Assert.False(File.Exists(target + source + "/data.bin"));
        Assert.Equal("hello", File.ReadAllText(target + source + "/small.txt"));
        Assert.Empty(Directory.GetFiles(target + source, ".varlor-restore-*"));
    }

    [Theory]
    [InlineData("..")]
    [InlineData("../../escaped")]
    [InlineData("/etc/escaped")]
    [InlineData("a\0b")]
    public async Task A_crafted_snapshot_cannot_write_outside_the_target(string evilName)
    {
        using var test = new TestRepo();
        using (var repo = await test.OpenAsync())
        {
            var content = "pwned"u8.ToArray();
            var dataId = repo.Key.ComputeId(content);
            var tree = new Tree([new Node { Name = evilName, Type = NodeType.File, Mode = 0x1A4, Size = content.Length, Content = [dataId] }]);
            var treeBytes = Varlor.Backup.Repository.Repository.EncodeTree(tree);
            var treeId = repo.Key.ComputeId(treeBytes);
            await using (var packer = new Packer(repo))
            {
                await packer.AddAsync(dataId, BlobType.Data, content, CancellationToken.None);
                await packer.AddAsync(treeId, BlobType.Tree, treeBytes, CancellationToken.None);
                await packer.FlushAsync(CancellationToken.None);
                await repo.SaveIndexAsync(new(packer.WrittenPacks), CancellationToken.None);
            }
            var id = await repo.SaveSnapshotAsync(new Snapshot { Time = DateTimeOffset.UtcNow, Hostname = "evil", Paths = ["/x"], Tree = treeId }, CancellationToken.None);
            var target = test.Dir.Sub("a/b/target");
            await Assert.ThrowsAsync<CorruptDataException>(() => test.RestoreAsync(id, target));
        }
        var written = Directory.GetFiles(test.Dir.Path, "*", SearchOption.AllDirectories).Where(f => !f.StartsWith(test.RepoPath, StringComparison.Ordinal));
        Assert.Empty(written);
        Assert.False(File.Exists("/etc/escaped"));
    }

    [Fact]
    public async Task A_symlink_planted_in_the_target_is_replaced_not_followed()
    {
        using var repo = new TestRepo();
        var source = repo.Dir.Sub("source");
        Directory.CreateDirectory(source + "/storage");
        File.WriteAllText(source + "/storage/data.csv", "a,b\n1,2\n");
        var snap = (await repo.BackupAsync(source)).SnapshotId;

        var outside = repo.Dir.Sub("outside");
        var target = repo.Dir.Sub("target");
        Directory.CreateDirectory(Path.GetDirectoryName(target + source)!);
        Directory.CreateDirectory(target + source);
        File.CreateSymbolicLink(target + source + "/storage", outside);
        await repo.RestoreAsync(snap, target);
        Assert.Empty(Directory.GetFileSystemEntries(outside));
        Assert.Equal("a,b\n1,2\n", File.ReadAllText(target + source + "/storage/data.csv"));
    }
}
