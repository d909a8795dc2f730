using System.Runtime.CompilerServices;

namespace Varlor.Backup.Storage;

/// <summary>
/// A repository in a local folder. Packs are spread over 256 sub-folders by the first two hex digits of their
/// name. Every write goes to a temporary file in the destination folder, is fsynced, renamed into place, and the
/// folder is fsynced, so a crash leaves either the whole file or none of it (plus, at worst, an ignored temp file).
/// </summary>
public sealed class LocalBackend(string root) : IStorageBackend
{
    private const string TempPrefix = ".tmp-";
    public string Root { get; } = Path.GetFullPath(root);
    public string Location => Root;

    private string PathOf(FileKind kind, string name)
    {
        ValidateName(name);
        return kind switch
        {
            FileKind.Config => Path.Combine(Root, "config"),
            FileKind.Pack => Path.Combine(Root, "data", name[..2], name),
            _ => Path.Combine(Root, kind.Folder(), name),
        };
    }

    private static void ValidateName(string name)
    {
        if (name.Length < 2 || name.Contains('/') || name.Contains('\0') || name.StartsWith('.'))
            throw new ArgumentException($"invalid object name '{name}'", nameof(name));
    }

    public Task<bool> ExistsAsync(FileKind kind, string name, CancellationToken ct) =>
        Task.FromResult(File.Exists(PathOf(kind, name)));

    public async Task SaveAsync(FileKind kind, string name, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        var path = PathOf(kind, name);
        var dir = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(dir);
        var tmp = TempName(dir);
        try
        {
            await using (var fs = new FileStream(tmp, new FileStreamOptions
            {
                Mode = FileMode.CreateNew, Access = FileAccess.Write, Share = FileShare.None,
                BufferSize = 0, PreallocationSize = content.Length,
            }))
            {
                await fs.WriteAsync(content, ct);
                fs.Flush(flushToDisk: true);
            }
            File.SetUnixFileMode(tmp, UnixFileMode.UserRead | UnixFileMode.GroupRead);
            // rename(2) replaces atomically; names are content hashes (or unique ids), so a replaced file
            // holds the same bytes.
            File.Move(tmp, path, overwrite: true);
            FsyncDirectory(dir);
        }
        catch
        {
            TryDelete(tmp);
            throw;
        }
    }

    public string SpoolFolder => Path.Combine(Root, "data");

    public Task SaveFileAsync(FileKind kind, string name, string localPath, CancellationToken ct)
    {
        var path = PathOf(kind, name);
        var dir = Path.GetDirectoryName(path)!;
        Directory.CreateDirectory(dir);
        try
        {
            File.SetUnixFileMode(localPath, UnixFileMode.UserRead | UnixFileMode.GroupRead);
            File.Move(localPath, path, overwrite: true);
        }
        catch
        {
            TryDelete(localPath);
            throw;
        }
        FsyncDirectory(dir);
        return Task.CompletedTask;
    }

    public Task<int> CleanupTempFilesAsync(TimeSpan minAge, CancellationToken ct)
    {
        var removed = 0;
        var cutoff = DateTime.UtcNow - minAge;
        foreach (var dir in new[] { Root }.Concat(Directory.Exists(Root) ? Directory.EnumerateDirectories(Root, "*", SearchOption.AllDirectories) : []))
        {
            foreach (var f in Directory.EnumerateFiles(dir, TempPrefix + "*"))
            {
                ct.ThrowIfCancellationRequested();
                if (File.GetLastWriteTimeUtc(f) > cutoff) continue;
                TryDelete(f);
                removed++;
            }
        }
        return Task.FromResult(removed);
    }

    /// <summary>A new temporary file name in a folder; such names are ignored by listings and cleaned up later.</summary>
    public static string TempName(string folder) => Path.Combine(folder, TempPrefix + Guid.NewGuid().ToString("N"));

    public async Task<byte[]> ReadAsync(FileKind kind, string name, CancellationToken ct) =>
        await File.ReadAllBytesAsync(PathOf(kind, name), ct);

    private readonly FileHandleCache _packHandles = new(64);

    public Task<int> ReadRangeAsync(FileKind kind, string name, long offset, Memory<byte> buffer, CancellationToken ct)
    {
        // Packs are immutable and read blob by blob: keep their handles. A plain pread from the page cache is
        // cheaper than an asynchronous read for these sizes.
        var path = PathOf(kind, name);
        var handle = kind == FileKind.Pack ? _packHandles.Get(path) : File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read);
        try
        {
            var total = 0;
            while (total < buffer.Length)
            {
                var n = RandomAccess.Read(handle, buffer.Span[total..], offset + total);
                if (n == 0) break;
                total += n;
            }
            return Task.FromResult(total);
        }
        finally
        {
            if (kind != FileKind.Pack) handle.Dispose();
        }
    }

    public Task<long> SizeAsync(FileKind kind, string name, CancellationToken ct)
    {
        var fi = new FileInfo(PathOf(kind, name));
        return Task.FromResult(fi.Exists ? fi.Length : -1);
    }

    public async IAsyncEnumerable<(string Name, long Size)> ListAsync(FileKind kind, [EnumeratorCancellation] CancellationToken ct)
    {
        await Task.Yield();
        var dir = Path.Combine(Root, kind.Folder());
        if (!Directory.Exists(dir)) yield break;
        var options = new EnumerationOptions { RecurseSubdirectories = kind == FileKind.Pack, MaxRecursionDepth = 1, IgnoreInaccessible = false };
        foreach (var fi in new DirectoryInfo(dir).EnumerateFiles("*", options))
        {
            ct.ThrowIfCancellationRequested();
            if (fi.Name.StartsWith('.')) continue; // temp files of interrupted writes
            // The size comes from a stat after the folder was read: a file removed in between (another process's
            // lock, released while we list) is simply not there any more.
            long size;
            try { size = fi.Length; }
            catch (FileNotFoundException) { continue; }
            yield return (fi.Name, size);
        }
    }

    public Task DeleteAsync(FileKind kind, string name, CancellationToken ct)
    {
        var path = PathOf(kind, name);
        File.Delete(path);
        FsyncDirectory(Path.GetDirectoryName(path)!);
        return Task.CompletedTask;
    }

    public Task CreateAsync(CancellationToken ct)
    {
        if (File.Exists(Path.Combine(Root, "config")))
            throw new IOException($"a repository already exists at {Root}");
        if (Directory.Exists(Root) && Directory.EnumerateFileSystemEntries(Root).Any())
            throw new IOException($"{Root} is not empty; choose an empty or new folder for the repository");
        Directory.CreateDirectory(Root);
        foreach (var kind in new[] { FileKind.Key, FileKind.Pack, FileKind.Index, FileKind.Snapshot, FileKind.Lock, FileKind.Wal })
            Directory.CreateDirectory(Path.Combine(Root, kind.Folder()));
        for (var i = 0; i < 256; i++)
            Directory.CreateDirectory(Path.Combine(Root, "data", i.ToString("x2")));
        return Task.CompletedTask;
    }

    private static void TryDelete(string path)
    {
        try { File.Delete(path); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }

    /// <summary>Makes a rename durable: without fsync of the folder a crash may forget the new name.</summary>
    private static void FsyncDirectory(string dir) => Native.FsyncDirectory(dir);
}
