using Varlor.Backup.Engines.Checking;
using Varlor.Backup.Tests.Support;

namespace Varlor.Backup.Tests.Engines.Checking;

public sealed class CheckerTests
{
    private static async Task<(TestRepo Repo, string Source)> TwoSnapshotsAsync()
    {
        var repo = new TestRepo();
        var source = repo.Dir.Sub("source");
        var gen = new TreeGenerator(31);
        gen.WriteRandom(source + "/big.bin", 3_000_000);
        File.WriteAllText(source + "/small.csv", "a,b\n");
        await repo.BackupAsync(source);
        File.WriteAllText(source + "/other.csv", "c,d\n");
        await repo.BackupAsync(source);
        return (repo, source);
    }

    private static async Task<CheckReport> CheckAsync(TestRepo test, CheckOptions options)
    {
        using var repo = await test.OpenAsync();
        return await new Checker(repo).RunAsync(options, CancellationToken.None);
    }

    private static string DataPack(TestRepo repo) =>
        Directory.GetFiles(repo.RepoPath + "/data", "*", SearchOption.AllDirectories).OrderByDescending(f => new FileInfo(f).Length).First();

    [Fact]
    public async Task A_healthy_repository_passes_with_and_without_reading_data()
    {
        var (repo, _) = await TwoSnapshotsAsync();
        using var _r = repo;
        var structure = await CheckAsync(repo, new CheckOptions());
        Assert.True(structure.Ok, string.Join("; ", structure.Errors));
        Assert.Equal(2, structure.Snapshots);
        var full = await CheckAsync(repo, new CheckOptions { ReadData = true });
        Assert.True(full.Ok, string.Join("; ", full.Errors));
        Assert.Equal(full.Packs, full.PacksRead);
    }

    [Fact]
    public async Task A_flipped_byte_is_traced_to_its_pack_blob_and_every_snapshot_file()
    {
        var (repo, source) = await TwoSnapshotsAsync();
        using var _r = repo;
        var pack = DataPack(repo);
        var bytes = File.ReadAllBytes(pack);
        bytes[500_000] ^= 0x40;
        File.WriteAllBytes(pack, bytes);

        Assert.True((await CheckAsync(repo, new CheckOptions())).Ok); // structure alone cannot see flipped bytes
        var report = await CheckAsync(repo, new CheckOptions { ReadData = true });
        Assert.False(report.Ok);
        Assert.Contains(Path.GetFileName(pack), report.DamagedPacks);
        Assert.Single(report.DamagedBlobs);
        var affected = report.AffectedFiles.Where(f => f.Path == source + "/big.bin").ToList();
        Assert.Equal(2, affected.Select(a => a.Snapshot).Distinct().Count());
        Assert.DoesNotContain(report.AffectedFiles, f => f.Path.EndsWith("small.csv", StringComparison.Ordinal));
    }

    [Fact]
    public async Task A_deleted_pack_is_found_without_reading_data()
    {
        var (repo, source) = await TwoSnapshotsAsync();
        using var _r = repo;
        var pack = DataPack(repo);
        File.Delete(pack);
        var report = await CheckAsync(repo, new CheckOptions());
        Assert.Contains(report.Errors, e => e.Contains(Path.GetFileName(pack)) && e.Contains("missing"));
        Assert.Contains(report.AffectedFiles, f => f.Path == source + "/big.bin");
    }

    [Fact]
    public async Task Damaged_index_or_snapshot_files_are_reported()
    {
        var (repo, _) = await TwoSnapshotsAsync();
        using var _r = repo;
        var index = Directory.GetFiles(repo.RepoPath + "/index")[0];
        File.WriteAllBytes(index, File.ReadAllBytes(index)[..^10]);
        var snapshot = Directory.GetFiles(repo.RepoPath + "/snapshots")[0];
        var s = File.ReadAllBytes(snapshot);
        s[20] ^= 1;
        File.WriteAllBytes(snapshot, s);
        var report = await CheckAsync(repo, new CheckOptions());
        Assert.Contains(report.Errors, e => e.Contains("index " + Path.GetFileName(index)[..8]));
        Assert.Contains(report.Errors, e => e.Contains("snapshot " + Path.GetFileName(snapshot)[..8]));
    }

    [Fact]
    public async Task Slices_k_of_n_cover_every_pack_exactly_once()
    {
        var (repo, _) = await TwoSnapshotsAsync();
        using var _r = repo;
        var total = 0;
        for (var k = 1; k <= 4; k++) total += (await CheckAsync(repo, new CheckOptions { ReadData = true, Slice = (k, 4) })).PacksRead;
        Assert.Equal(Directory.GetFiles(repo.RepoPath + "/data", "*", SearchOption.AllDirectories).Length, total);
    }
}
