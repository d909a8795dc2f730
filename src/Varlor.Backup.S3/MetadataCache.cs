using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace Varlor.Backup.Storage.S3;

/// <summary>
/// A local cache of a remote repository's index and snapshot files, so that listing snapshots or restoring
/// one folder does not download every index file each time. Those files are immutable and named by the SHA-256
/// of their bytes, so a cached copy is used only when its hash still matches its name; which files exist is
/// always learnt from the store's listing (at least once per command), which also removes cached files the
/// repository no longer has. Only a cache: deleting the folder loses nothing.
/// <para>
/// Listings are kept for the life of this object (one command) and follow its own saves and deletes, so a
/// command lists each kind once; they are dropped whenever this process writes or removes a lock, so that no
/// listing made before a lock was taken is used under it. Locks themselves are always listed afresh (the lock
/// protocol must see others' locks). Why that is safe, and why a listing is never reused across processes:
/// docs/architecture.md, "Requests to an object store".
/// </para>
/// </summary>
public sealed class MetadataCache(IStorageBackend inner, string folder) : IStorageBackend
{
    private readonly Dictionary<FileKind, Dictionary<string, long>> _listings = [];
    // Bumped by every own change: a listing during which this process changed something is not kept.
    private long _changes;
    private long _listingHits;

    public IStorageBackend Inner => inner;
    public string Folder { get; } = folder;
    public string Location => inner.Location;
    public string SpoolFolder => inner.SpoolFolder;
    public int PackUploads => inner.PackUploads;
    private long _hits;
    /// <summary>Files read from the cache instead of the store.</summary>
    public long Hits => Interlocked.Read(ref _hits);
    /// <summary>Listings answered from this process's earlier listing instead of the store.</summary>
    public long ListingHits => Interlocked.Read(ref _listingHits);

    /// <summary>$VARLOR_CACHE_DIR, else $XDG_CACHE_HOME/varlor, else ~/.cache/varlor; one sub-folder per repository location.</summary>
    public static string DefaultFolder(string location, Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        var root = env("VARLOR_CACHE_DIR") is { Length: > 0 } dir ? dir
            : env("XDG_CACHE_HOME") is { Length: > 0 } xdg ? Path.Combine(xdg, "varlor")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "varlor");
        return Path.Combine(root, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(location)))[..16]);
    }

    // Not key files: a readable local copy would offer the sealed master key to offline password guessing.
    private static bool Cached(FileKind kind) => kind is FileKind.Index or FileKind.Snapshot;

    /// <summary>Kinds whose listing is kept for the process: not locks (nor kinds added later, until thought through).</summary>
    private static bool ListingKept(FileKind kind) => kind is FileKind.Key or FileKind.Index or FileKind.Snapshot or FileKind.Pack;

    private string PathOf(FileKind kind, string name) => Path.Combine(Folder, kind.Folder(), name);

    private static bool Matches(byte[] bytes, string name) => Convert.ToHexStringLower(SHA256.HashData(bytes)) == name;

    public async Task<byte[]> ReadAsync(FileKind kind, string name, CancellationToken ct)
    {
        if (!Cached(kind)) return await inner.ReadAsync(kind, name, ct);
        var path = PathOf(kind, name);
        try
        {
            var cached = await File.ReadAllBytesAsync(path, ct);
            if (Matches(cached, name))
            {
                Interlocked.Increment(ref _hits);
                return cached;
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // not cached (or unreadable): fetch it
        }
        var bytes = await inner.ReadAsync(kind, name, ct);
        if (Matches(bytes, name)) Store(path, bytes);
        return bytes;
    }

    public async Task SaveAsync(FileKind kind, string name, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        if (kind == FileKind.Lock) ForgetListings(); // before: a listing made before a lock must not serve under it
        await inner.SaveAsync(kind, name, content, ct);
        if (Cached(kind)) Store(PathOf(kind, name), content.ToArray());
        Listed(kind, name, content.Length);
    }

    public async Task SaveFileAsync(FileKind kind, string name, string localPath, CancellationToken ct)
    {
        var size = new FileInfo(localPath).Length; // the file is consumed by the save
        await inner.SaveFileAsync(kind, name, localPath, ct);
        Listed(kind, name, size);
    }

    public async Task DeleteAsync(FileKind kind, string name, CancellationToken ct)
    {
        if (kind == FileKind.Lock) ForgetListings();
        await inner.DeleteAsync(kind, name, ct);
        if (Cached(kind)) TryDelete(PathOf(kind, name));
        Listed(kind, name, -1);
    }

    public async IAsyncEnumerable<(string Name, long Size)> ListAsync(FileKind kind, [EnumeratorCancellation] CancellationToken ct)
    {
        List<(string, long)>? kept = null;
        long changes;
        lock (_listings)
        {
            changes = _changes;
            if (_listings.TryGetValue(kind, out var listing)) kept = [.. listing.Select(p => (p.Key, p.Value))];
        }
        if (kept is not null)
        {
            Interlocked.Increment(ref _listingHits);
            foreach (var item in kept) yield return item;
            yield break;
        }
        var listed = new Dictionary<string, long>(StringComparer.Ordinal);
        await foreach (var item in inner.ListAsync(kind, ct))
        {
            listed[item.Name] = item.Size;
            yield return item;
        }
        // The listing is complete here: kept for this process, and cached files the repository no longer has
        // (forgotten, pruned) go.
        if (ListingKept(kind))
            lock (_listings)
                if (_changes == changes) _listings[kind] = listed;
        var dir = Path.Combine(Folder, kind.Folder());
        if (!Cached(kind) || !Directory.Exists(dir)) yield break;
        foreach (var f in Directory.EnumerateFiles(dir))
            if (!listed.ContainsKey(Path.GetFileName(f))) TryDelete(f);
    }

    /// <summary>Applies this process's own save (size) or delete (-1) to a kept listing.</summary>
    private void Listed(FileKind kind, string name, long size)
    {
        lock (_listings)
        {
            _changes++;
            if (!_listings.TryGetValue(kind, out var listing)) return;
            if (size >= 0) listing[name] = size;
            else listing.Remove(name);
        }
    }

    private void ForgetListings()
    {
        lock (_listings)
        {
            _changes++;
            _listings.Clear();
        }
    }

    /// <summary>Writes a cache file atomically (temporary name, rename); a cache that cannot be written is skipped.</summary>
    private static void Store(string path, byte[] bytes)
    {
        try
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            var tmp = path + ".tmp-" + Guid.NewGuid().ToString("N");
            File.WriteAllBytes(tmp, bytes);
            File.Move(tmp, path, overwrite: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
        }
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    public Task<bool> ExistsAsync(FileKind kind, string name, CancellationToken ct) => inner.ExistsAsync(kind, name, ct);
    public Task<int> CleanupTempFilesAsync(TimeSpan minAge, CancellationToken ct) => inner.CleanupTempFilesAsync(minAge, ct);
    public Task<int> ReadRangeAsync(FileKind kind, string name, long offset, Memory<byte> buffer, CancellationToken ct) => inner.ReadRangeAsync(kind, name, offset, buffer, ct);
    public Task<long> SizeAsync(FileKind kind, string name, CancellationToken ct) => inner.SizeAsync(kind, name, ct);
    public Task CreateAsync(CancellationToken ct) => inner.CreateAsync(ct);
}
