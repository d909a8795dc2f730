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

    private static async Task<string> SaveAsync(IStorageBackend backend, FileKind kind)
    {
        var content = RandomNumberGenerator.GetBytes(100);
        var name = Convert.ToHexStringLower(SHA256.HashData(content));
        await backend.SaveAsync(kind, name, content, None);
        return name;
    }

    private static async Task<List<string>> NamesAsync(IStorageBackend backend, FileKind kind)
    {
        var names = new List<string>();
        await foreach (var (name, _) in backend.ListAsync(kind, None)) names.Add(name);
        return [.. names.Order(StringComparer.Ordinal)];
    }

    [Fact]
    public async Task A_kind_is_listed_once_per_process_following_its_own_changes_until_it_takes_a_lock()
    {
        using var dir = new TempDir();
        using var remote = s3.Backend("listing-" + Guid.NewGuid().ToString("N")[..6]);
        await remote.CreateAsync(None);
        var cache = new MetadataCache(remote, dir.Sub("cache"));
        var a = await SaveAsync(cache, FileKind.Snapshot);
        var lists = remote.Requests.List;
        Assert.Equal([a], await NamesAsync(cache, FileKind.Snapshot));
        Assert.Equal(lists + 1, remote.Requests.List);

        // Its own saves and deletes are followed without listing again.
        var b = await SaveAsync(cache, FileKind.Snapshot);
        Assert.Equal(new[] { a, b }.Order(StringComparer.Ordinal), await NamesAsync(cache, FileKind.Snapshot));
        await cache.DeleteAsync(FileKind.Snapshot, a, None);
        Assert.Equal([b], await NamesAsync(cache, FileKind.Snapshot));
        Assert.Equal(lists + 1, remote.Requests.List);
        Assert.Equal(2, cache.ListingHits);

        // Another process's snapshot shows once this one writes a lock: no listing made before a lock serves under it.
        var c = await SaveAsync(remote, FileKind.Snapshot);
        Assert.Equal([b], await NamesAsync(cache, FileKind.Snapshot));
        var own = await SaveAsync(cache, FileKind.Lock);
        Assert.Equal(new[] { b, c }.Order(StringComparer.Ordinal), await NamesAsync(cache, FileKind.Snapshot));
        Assert.Equal(lists + 2, remote.Requests.List);

        // Locks are listed afresh every time: the lock protocol must see the others'.
        var other = await SaveAsync(remote, FileKind.Lock);
        Assert.Equal(new[] { own, other }.Order(StringComparer.Ordinal), await NamesAsync(cache, FileKind.Lock));
        await remote.DeleteAsync(FileKind.Lock, other, None);
        Assert.Equal([own], await NamesAsync(cache, FileKind.Lock));
        Assert.Equal(lists + 4, remote.Requests.List);

        // A new process (a new cache object over the same folder) lists again.
        Assert.Equal(new[] { b, c }.Order(StringComparer.Ordinal), await NamesAsync(new MetadataCache(remote, dir.Sub("cache")), FileKind.Snapshot));
        Assert.Equal(lists + 5, remote.Requests.List);
    }
}
