using System.Security.Cryptography;
using Varlor.Backup.Storage;

namespace Varlor.Backup.S3.Tests.Conformance;

/// <summary>
/// What every <see cref="IStorageBackend"/> must do, run against each backend (local folder, S3) so that they
/// cannot drift. Every read is compared byte for byte with what was written.
/// </summary>
public abstract class BackendConformanceTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>A new, created (empty) repository location.</summary>
    protected abstract Task<IStorageBackend> NewBackendAsync();

    protected static string NameOf(byte[] content) => Convert.ToHexStringLower(SHA256.HashData(content));

    protected static byte[] Random(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }

    [Fact]
    public async Task Saved_files_read_back_identically_and_missing_ones_are_absent()
    {
        var b = await NewBackendAsync();
        var files = new Dictionary<FileKind, byte[]>
        {
            [FileKind.Key] = Random(300, 1), [FileKind.Index] = Random(5000, 2), [FileKind.Snapshot] = Random(700, 3),
            [FileKind.Lock] = Random(200, 4), [FileKind.Pack] = Random(70_000, 5),
        };
        foreach (var (kind, content) in files) await b.SaveAsync(kind, NameOf(content), content, None);
        var config = Random(100, 6);
        await b.SaveAsync(FileKind.Config, "config", config, None);

        foreach (var (kind, content) in files)
        {
            var name = NameOf(content);
            Assert.Equal(content, await b.ReadAsync(kind, name, None));
            Assert.True(await b.ExistsAsync(kind, name, None));
            Assert.Equal(content.Length, await b.SizeAsync(kind, name, None));
        }
        Assert.Equal(config, await b.ReadAsync(FileKind.Config, "config", None));
        Assert.True(await b.ExistsAsync(FileKind.Config, "config", None));

        var missing = NameOf(Random(10, 99));
        Assert.False(await b.ExistsAsync(FileKind.Index, missing, None));
        Assert.Equal(-1, await b.SizeAsync(FileKind.Pack, missing, None));
        await Assert.ThrowsAnyAsync<FileNotFoundException>(() => b.ReadAsync(FileKind.Snapshot, missing, None));
        await Assert.ThrowsAnyAsync<IOException>(() => b.ReadRangeAsync(FileKind.Pack, missing, 0, new byte[10], None));
    }

    [Fact]
    public async Task Range_reads_return_the_bytes_at_the_offset_and_fewer_at_the_end()
    {
        var b = await NewBackendAsync();
        var content = Random(100_000, 7);
        var name = NameOf(content);
        await b.SaveAsync(FileKind.Pack, name, content, None);
        foreach (var (offset, length) in new[] { (0L, 10), (12_345L, 4_000), (99_996L, 4), (0L, 100_000) })
        {
            var buffer = new byte[length];
            Assert.Equal(length, await b.ReadRangeAsync(FileKind.Pack, name, offset, buffer, None));
            Assert.Equal(content.AsSpan((int)offset, length).ToArray(), buffer);
        }
        var tail = new byte[100];
        Assert.Equal(50, await b.ReadRangeAsync(FileKind.Pack, name, 99_950, tail, None));
        Assert.Equal(content[99_950..], tail[..50]);
        Assert.Equal(0, await b.ReadRangeAsync(FileKind.Pack, name, 100_000, new byte[10], None));
    }

    [Fact]
    public async Task Listing_names_each_kind_separately_with_sizes_and_deleting_removes()
    {
        var b = await NewBackendAsync();
        var packs = Enumerable.Range(0, 5).Select(i => Random(1000 + i, 10 + i)).ToList();
        var indexes = Enumerable.Range(0, 3).Select(i => Random(200 + i, 20 + i)).ToList();
        foreach (var p in packs) await b.SaveAsync(FileKind.Pack, NameOf(p), p, None);
        foreach (var x in indexes) await b.SaveAsync(FileKind.Index, NameOf(x), x, None);
        await b.SaveAsync(FileKind.Config, "config", Random(10, 30), None);

        Assert.Equal(packs.Select(p => (NameOf(p), (long)p.Length)).Order(), (await ListAsync(b, FileKind.Pack)).Order());
        Assert.Equal(indexes.Select(p => (NameOf(p), (long)p.Length)).Order(), (await ListAsync(b, FileKind.Index)).Order());
        Assert.Empty(await ListAsync(b, FileKind.Snapshot));
        Assert.Empty(await ListAsync(b, FileKind.Lock));

        await b.DeleteAsync(FileKind.Pack, NameOf(packs[2]), None);
        Assert.False(await b.ExistsAsync(FileKind.Pack, NameOf(packs[2]), None));
        Assert.Equal(4, (await ListAsync(b, FileKind.Pack)).Count);
    }

    [Fact]
    public async Task Listing_more_than_a_thousand_files_returns_every_one_once()
    {
        var b = await NewBackendAsync();
        var names = Enumerable.Range(0, 1050).Select(i => NameOf(BitConverter.GetBytes(i))).ToList();
        await Parallel.ForEachAsync(names, new ParallelOptions { MaxDegreeOfParallelism = 16 },
            async (n, ct) => await b.SaveAsync(FileKind.Snapshot, n, Convert.FromHexString(n), ct));
        var listed = await ListAsync(b, FileKind.Snapshot);
        Assert.Equal(names.Order(), listed.Select(l => l.Name).Order());
        Assert.All(listed, l => Assert.Equal(32, l.Size));
    }

    [Theory]
    [InlineData(5_000)]
    [InlineData(20 * 1024 * 1024 + 123)] // above the multipart threshold: three parts on S3
    public async Task Spooled_files_are_stored_whole_and_consumed(int size)
    {
        var b = await NewBackendAsync();
        var content = Random(size, size);
        var name = NameOf(content);
        Directory.CreateDirectory(b.SpoolFolder);
        var spool = Path.Combine(b.SpoolFolder, ".tmp-" + Guid.NewGuid().ToString("N"));
        await File.WriteAllBytesAsync(spool, content);
        await b.SaveFileAsync(FileKind.Pack, name, spool, None);
        Assert.False(File.Exists(spool));
        Assert.Equal(size, await b.SizeAsync(FileKind.Pack, name, None));
        Assert.Equal(SHA256.HashData(content), SHA256.HashData(await b.ReadAsync(FileKind.Pack, name, None)));
        // A range across the first part boundary (8 MiB on S3).
        if (size > 9 * 1024 * 1024)
        {
            var buffer = new byte[1 << 20];
            Assert.Equal(buffer.Length, await b.ReadRangeAsync(FileKind.Pack, name, (8 << 20) - 1000, buffer, None));
            Assert.Equal(content.AsSpan((8 << 20) - 1000, buffer.Length).ToArray(), buffer);
        }
    }

    [Fact]
    public async Task A_failed_save_leaves_nothing_behind()
    {
        var b = await NewBackendAsync();
        var content = Random(50_000, 40);
        using var cancelled = new CancellationTokenSource();
        await cancelled.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => b.SaveAsync(FileKind.Index, NameOf(content), content, cancelled.Token));
        Assert.False(await b.ExistsAsync(FileKind.Index, NameOf(content), None));
        Assert.Empty(await ListAsync(b, FileKind.Index));
    }

    [Fact]
    public async Task Creating_over_an_existing_repository_fails()
    {
        var b = await NewBackendAsync();
        await b.SaveAsync(FileKind.Config, "config", Random(10, 50), None);
        await Assert.ThrowsAnyAsync<Exception>(() => b.CreateAsync(None));
        Assert.Equal(10, (await b.ReadAsync(FileKind.Config, "config", None)).Length);
    }

    protected static async Task<List<(string Name, long Size)>> ListAsync(IStorageBackend b, FileKind kind)
    {
        var result = new List<(string, long)>();
        await foreach (var item in b.ListAsync(kind, None)) result.Add(item);
        return result;
    }
}
