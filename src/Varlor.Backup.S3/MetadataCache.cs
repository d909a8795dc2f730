using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using System.Text;

namespace Varlor.Backup.Storage.S3;

/// <summary>
/// A local cache of a remote repository's index and snapshot files, so that listing snapshots or restoring one
/// folder does not download every index file each time. Those files are immutable and named by the SHA-256 of
/// their bytes, so a cached copy is used only when its hash still matches its name; a listing removes cached
/// files the repository no longer has. Only a cache: deleting the folder loses nothing.
/// </summary>
public sealed class MetadataCache(IStorageBackend inner, string folder) : IStorageBackend
{
    public IStorageBackend Inner => inner;
    public string Folder { get; } = folder;
    public string Location => inner.Location;
    public string SpoolFolder => inner.SpoolFolder;
    public int PackUploads => inner.PackUploads;
    private long _hits;
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>$VARLOR_CACHE_DIR, else $XDG_CACHE_HOME/varlor, else ~/.cache/varlor; one sub-folder per repository location.</summary>
    public static string DefaultFolder(string location, Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        var root = env("VARLOR_CACHE_DIR") is { Length: > 0 } dir ? dir
            : env("XDG_CACHE_HOME") is { Length: > 0 } xdg ? Path.Combine(xdg, "varlor")
            : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache", "varlor");
        return Path.Combine(root, Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(location)))[..16]);
    }

    private static bool Cached(FileKind kind) => kind is FileKind.Index or FileKind.Snapshot;

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
        await inner.SaveAsync(kind, name, content, ct);
        if (Cached(kind)) Store(PathOf(kind, name), content.ToArray());
    }

    public async Task DeleteAsync(FileKind kind, string name, CancellationToken ct)
    {
        await inner.DeleteAsync(kind, name, ct);
        if (Cached(kind)) TryDelete(PathOf(kind, name));
    }

    public async IAsyncEnumerable<(string Name, long Size)> ListAsync(FileKind kind, [EnumeratorCancellation] CancellationToken ct)
    {
        var listed = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var item in inner.ListAsync(kind, ct))
        {
            listed.Add(item.Name);
            yield return item;
        }
        // The listing is complete here: cached files the repository no longer has (forgotten, pruned) go.
        var dir = Path.Combine(Folder, kind.Folder());
        if (!Cached(kind) || !Directory.Exists(dir)) yield break;
        foreach (var f in Directory.EnumerateFiles(dir))
            if (!listed.Contains(Path.GetFileName(f))) TryDelete(f);
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
    public Task SaveFileAsync(FileKind kind, string name, string localPath, CancellationToken ct) => inner.SaveFileAsync(kind, name, localPath, ct);
    public Task<int> CleanupTempFilesAsync(TimeSpan minAge, CancellationToken ct) => inner.CleanupTempFilesAsync(minAge, ct);
    public Task<int> ReadRangeAsync(FileKind kind, string name, long offset, Memory<byte> buffer, CancellationToken ct) => inner.ReadRangeAsync(kind, name, offset, buffer, ct);
    public Task<long> SizeAsync(FileKind kind, string name, CancellationToken ct) => inner.SizeAsync(kind, name, ct);
    public Task CreateAsync(CancellationToken ct) => inner.CreateAsync(ct);
}
