using System.Security.Cryptography;
using Varlor.Backup.S3.Tests.Support;
using Varlor.Backup.Storage;
using Varlor.Backup.Storage.S3;

namespace Varlor.Backup.S3.Tests;

public sealed class MetadataCacheTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    private static readonly CancellationToken None = CancellationToken.None;

    [Fact]
    public async Task Index_files_are_read_from_the_store_once_and_a_damaged_or_deleted_cache_costs_only_a_download()
    {
        using var dir = new TempDir();
        using var remote = s3.Backend("cache-" + Guid.NewGuid().ToString("N")[..6]);
        await remote.CreateAsync(None);
        var content = RandomNumberGenerator.GetBytes(4000);
        var name = Convert.ToHexStringLower(SHA256.HashData(content));
        await remote.SaveAsync(FileKind.Index, name, content, None);

        var cache = new MetadataCache(remote, dir.Sub("cache"));
        Assert.Equal(content, await cache.ReadAsync(FileKind.Index, name, None));
        var gets = remote.Requests.Get;
        Assert.Equal(content, await cache.ReadAsync(FileKind.Index, name, None));
        Assert.Equal(gets, remote.Requests.Get); // served from the cache
        Assert.Equal(1, cache.Hits);

        var cached = Path.Combine(dir.Sub("cache"), "index", name);
        var damaged = (byte[])content.Clone();
        damaged[10] ^= 1;
        await File.WriteAllBytesAsync(cached, damaged);
        Assert.Equal(content, await cache.ReadAsync(FileKind.Index, name, None)); // hash mismatch: fetched again
        Assert.Equal(gets + 1, remote.Requests.Get);

        Directory.Delete(dir.Sub("cache"), recursive: true);
        Assert.Equal(content, await cache.ReadAsync(FileKind.Index, name, None));

        // Gone from the repository (prune): the next listing drops it from the cache too.
        await remote.DeleteAsync(FileKind.Index, name, None);
        await foreach (var _ in cache.ListAsync(FileKind.Index, None)) { }
        Assert.False(File.Exists(cached));
    }
}
