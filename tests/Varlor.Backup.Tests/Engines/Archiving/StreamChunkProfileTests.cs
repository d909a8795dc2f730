using Varlor.Backup.Engines.Archiving;
using Varlor.Backup.Engines.Restoring;
using Varlor.Backup.Repository;
using Varlor.Backup.Tests.Support;

namespace Varlor.Backup.Tests.Engines.Archiving;

/// <summary>StreamSource.ChunkAverage: a stream cut with a smaller profile than the repository's (db dump uses it).</summary>
public sealed class StreamChunkProfileTests
{
    [Fact]
    public async Task A_stream_with_a_smaller_chunk_average_is_cut_smaller_and_reads_back_identical()
    {
        using var t = new TestRepo();
        var data = new byte[6 * 1024 * 1024];
        new Random(7).NextBytes(data);
        using var repo = await t.OpenAsync();
        var result = await new StreamArchiver(repo).RunAsync([
            new StreamSource("/db/small.bin", _ => Task.FromResult<Stream>(new MemoryStream(data))) { ChunkAverage = 64 * 1024 },
            new StreamSource("/db/default.bin", _ => Task.FromResult<Stream>(new MemoryStream(data))),
        ], new StreamBackupOptions(), CancellationToken.None);

        var small = await SnapshotFile.FindAsync(repo, result.Snapshot, "/db/small.bin", CancellationToken.None);
        var whole = await SnapshotFile.FindAsync(repo, result.Snapshot, "/db/default.bin", CancellationToken.None);
        Assert.Equal(data, await SnapshotFile.ReadAllAsync(repo, small!, CancellationToken.None));
        Assert.Equal(data, await SnapshotFile.ReadAllAsync(repo, whole!, CancellationToken.None));

        var smallSizes = Sizes(repo, small!.Content!);
        Assert.All(smallSizes[..^1], s => Assert.InRange(s, 16 * 1024, 256 * 1024));
        Assert.InRange(smallSizes.Average(), 32 * 1024, 160 * 1024);
        var wholeSizes = Sizes(repo, whole!.Content!);
        Assert.All(wholeSizes[..^1], s => Assert.InRange(s, repo.Config.Chunker.MinSize, repo.Config.Chunker.MaxSize));
        Assert.True(wholeSizes.Length * 4 < smallSizes.Length, $"{wholeSizes.Length} default chunks, {smallSizes.Length} small ones");
    }

    [Theory]
    [InlineData(3000)]
    [InlineData(512)]
    public async Task A_chunk_average_that_is_not_a_power_of_two_of_at_least_1_KiB_is_refused(int average)
    {
        using var t = new TestRepo();
        using var repo = await t.OpenAsync();
        var e = await Assert.ThrowsAsync<VarlorException>(() => new StreamArchiver(repo).RunAsync([
            new StreamSource("/db/x.bin", _ => Task.FromResult<Stream>(new MemoryStream(new byte[10]))) { ChunkAverage = average },
        ], new StreamBackupOptions(), CancellationToken.None));
        Assert.Contains("power of two", e.Message);
    }

    /// <summary>Raw sizes of the chunks, from the index (-1 for a blob it lacks, which no range accepts).</summary>
    private static int[] Sizes(Varlor.Backup.Repository.Repository repo, IEnumerable<BlobId> blobs) =>
        [.. blobs.Select(id => repo.Index.TryGet(id, out var entry, out _) ? (int)entry.RawLength : -1)];
}
