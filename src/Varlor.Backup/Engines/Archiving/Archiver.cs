using System.Buffers;
using System.Diagnostics;
using System.Threading.Channels;
using Varlor.Backup.Engines.Chunking;
using Varlor.Backup.Engines.FileSystem;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Index;
using Varlor.Backup.Repository.Packs;
using Varlor.Backup.Repository.Snapshots;
using Varlor.Backup.Repository.Trees;
using Varlor.Backup.Storage;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Engines.Archiving;

/// <summary>
/// Backs up folders into a snapshot. One walker reads files in order, cuts them into chunks and computes their
/// keyed ids (cheap); new chunks go through a bounded channel to workers that compress and seal them (costly)
/// into the packer, whose writer stores full packs. Memory is bounded by the channel, the open packs and the
/// index. Files unchanged since the parent snapshot (size, mtime, ctime, inode) are not read again.
/// </summary>
public sealed class Archiver(Repo repo, IEngineReporter? reporter = null)
{
    private readonly FastCdc _chunker = new(repo.Config.Chunker);
    private ChunkReader? _reader;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<BlobId, Task<Tree>> _prefetched = new();
    private readonly List<string> _failed = [];
    private readonly Stopwatch _clock = new();
    private BlobSink _sink = null!;
    private ExcludeMatcher _excludes = new([]);
    private long _filesNew, _filesChanged, _filesUnmodified, _dirsNew, _dirsChanged, _dirsUnmodified, _bytesRead;
    private long _filesDone, _bytesDone, _filesTotal, _bytesTotal;
    private volatile bool _totalsFinal;
    private volatile string? _current;
    private bool _force;

    public BackupProgress Progress => new(Interlocked.Read(ref _filesDone), Interlocked.Read(ref _bytesDone),
        Interlocked.Read(ref _filesTotal), Interlocked.Read(ref _bytesTotal), _totalsFinal, _clock.Elapsed, _current);

    public async Task<BackupResult> RunAsync(BackupOptions options, CancellationToken ct)
    {
        _clock.Start();
        var start = DateTimeOffset.UtcNow;
        var paths = NormalizePaths(options.Paths);
        _excludes = new ExcludeMatcher(options.Excludes);
        _force = options.Force;
        var host = options.Host ?? Environment.MachineName;

        await repo.LoadIndexAsync(ct);
        var adopted = await repo.AdoptUnindexedPacksAsync(reporter is null ? null : reporter.Warning, ct);
        var parent = await FindParentAsync(options, host, paths, ct);
        var parentRoot = parent is null ? null : await repo.LoadTreeAsync(parent.Tree, ct);

        using var scanCts = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var scan = options.EstimateTotals ? Task.Run(() => ScanTotals(paths, scanCts.Token), scanCts.Token) : Task.CompletedTask;

        await using var sink = _sink = new BlobSink(repo, options.Workers);
        Node root;
        try
        {
            root = await ArchiveVirtualAsync("", BuildVirtualTree(paths), parentRoot, null, ct);
        }
        finally
        {
            scanCts.Cancel();
        }
        try { await scan; } catch (OperationCanceledException) { }

        var snapshot = new Snapshot
        {
            Time = options.Time ?? start,
            Hostname = host,
            Username = Environment.UserName,
            Paths = paths,
            Tags = [.. options.Tags.Distinct().Order(StringComparer.Ordinal)],
            Excludes = options.Excludes.Count > 0 ? [.. options.Excludes] : null,
            Parent = parent?.Id,
            Tree = root.Subtree!.Value,
            Summary = new BackupSummary
            {
                BackupStart = start,
                FilesNew = _filesNew, FilesChanged = _filesChanged, FilesUnmodified = _filesUnmodified,
                DirsNew = _dirsNew, DirsChanged = _dirsChanged, DirsUnmodified = _dirsUnmodified,
                FilesFailed = _failed.Count,
                TotalFilesProcessed = _filesDone, TotalBytesProcessed = _bytesDone, BytesRead = _bytesRead,
            },
        };
        return await sink.CommitAsync(snapshot, adopted, _failed, ct);
    }

    private static List<string> NormalizePaths(IReadOnlyList<string> input)
    {
        if (input.Count == 0) throw new VarlorException("nothing to back up: give at least one path");
        var full = new List<string>();
        foreach (var p in input)
        {
            var f = Path.GetFullPath(p);
            if (f.Length > 1) f = f.TrimEnd('/');
            if (!UnixStat.TryGet(f, out _, out var errno))
                throw new VarlorException(errno == 2 ? $"path does not exist: {p}" : $"cannot read {p} (errno {errno})");
            full.Add(f);
        }
        full.Sort(StringComparer.Ordinal);
        // A path inside another given path is already covered.
        return [.. full.Where(p => !full.Any(o => o != p && (o == "/" || p.StartsWith(o + "/", StringComparison.Ordinal)))).Distinct()];
    }

    private async Task<Snapshot?> FindParentAsync(BackupOptions options, string host, List<string> paths, CancellationToken ct)
    {
        if (options.Parent is { } explicitParent) return await repo.LoadSnapshotAsync(explicitParent, ct);
        var snapshots = await repo.LoadSnapshotsAsync(ct, problems: []);
        return snapshots.LastOrDefault(s => s.Hostname == host && s.Paths.SequenceEqual(paths));
    }

    // ---- the walk ----

    /// <summary>Folders between "/" and the given paths: name to child, or to the real path to archive.</summary>
    private sealed class VirtualDir
    {
        public SortedDictionary<string, object> Children { get; } = new(StringComparer.Ordinal);
    }

    private static VirtualDir BuildVirtualTree(List<string> paths)
    {
        var root = new VirtualDir();
        foreach (var p in paths)
        {
            var parts = p.Split('/', StringSplitOptions.RemoveEmptyEntries);
            if (parts.Length == 0) throw new VarlorException("backing up / as a whole is not supported: name the folders to protect");
            var dir = root;
            for (var i = 0; i < parts.Length - 1; i++)
            {
                if (!dir.Children.TryGetValue(parts[i], out var next)) dir.Children[parts[i]] = next = new VirtualDir();
                dir = (VirtualDir)next;
            }
            dir.Children[parts[^1]] = p;
        }
        return root;
    }

    private async Task<Node> ArchiveVirtualAsync(string path, VirtualDir dir, Tree? parentTree, Node? parentNode, CancellationToken ct)
    {
        var nodes = new List<Node>();
        foreach (var (name, child) in dir.Children)
        {
            var childPath = path + "/" + name;
            var previous = parentTree?.Nodes.Find(n => n.Name == name);
            if (child is VirtualDir vd)
            {
                var previousTree = previous is { Type: NodeType.Dir, Subtree: { } s } ? await repo.LoadTreeAsync(s, ct) : null;
                nodes.Add(await ArchiveVirtualAsync(childPath, vd, previousTree, previous, ct));
            }
            else if (await ArchiveEntryAsync((string)child, name, previous, ct) is { } node)
            {
                nodes.Add(node);
            }
        }
        if (path.Length == 0) return await DirNodeAsync("/", default, nodes, null, ct, count: false);
        return await DirNodeAsync(Path.GetFileName(path), Stat(path), nodes, parentNode, ct);
    }

    private static UnixStat Stat(string path) =>
        UnixStat.TryGet(path, out var s, out var errno) ? s : throw new IOException($"cannot stat (errno {errno})");

    private async Task<Node?> ArchiveEntryAsync(string path, string name, Node? parentNode, CancellationToken ct)
    {
        ct.ThrowIfCancellationRequested();
        if (!UnixStat.TryGet(path, out var st, out var errno))
        {
            Fail(path, $"cannot stat (errno {errno})");
            return null;
        }
        if (st.IsDir) return await ArchiveDirAsync(path, name, st, parentNode, ct);
        if (st.IsSymlink)
        {
            Interlocked.Increment(ref _filesDone);
            string? target;
            try { target = new FileInfo(path).LinkTarget; }
            catch (IOException e) { Fail(path, e.Message); return null; }
            return Meta(name, NodeType.Symlink, st) with { LinkTarget = target ?? "" };
        }
        if (st.IsFile) return await ArchiveFileAsync(path, name, st, parentNode, ct);
        reporter?.Warning(path, "skipped: not a regular file, folder or symlink");
        return null;
    }

    private static Node Meta(string name, NodeType type, UnixStat st) => new()
    {
        Name = name, Type = type, Mode = st.Permissions, Uid = st.Uid, Gid = st.Gid,
        MtimeNs = st.MtimeNs, CtimeNs = st.CtimeNs, Inode = st.Inode, Device = st.Device,
    };

    private async Task<Node?> ArchiveDirAsync(string path, string name, UnixStat st, Node? parentNode, CancellationToken ct)
    {
        string[] entries;
        try
        {
            entries = [.. Directory.EnumerateFileSystemEntries(path).Select(Path.GetFileName)!];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Fail(path, "cannot list folder: " + e.Message);
            return null;
        }
        Array.Sort(entries, StringComparer.Ordinal);
        var parentTree = parentNode is { Type: NodeType.Dir, Subtree: { } sub } ? await LoadParentTreeAsync(sub, ct) : null;
        var previous = parentTree?.Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal);
        // Load the parent's subfolders' trees on other cores while this folder's entries are examined.
        if (parentTree is not null)
            foreach (var n in parentTree.Nodes)
                if (n is { Type: NodeType.Dir, Subtree: { } childTree })
                    _prefetched.TryAdd(childTree, Task.Run(() => repo.LoadTreeAsync(childTree, ct), ct));
        var nodes = new List<Node>(entries.Length);
        foreach (var entryName in entries)
        {
            var childPath = path + "/" + entryName;
            if (!_excludes.IsEmpty && _excludes.IsExcluded(childPath, entryName)) continue;
            var node = await ArchiveEntryAsync(childPath, entryName, previous?.GetValueOrDefault(entryName), ct);
            if (node is not null) nodes.Add(node);
        }
        return await DirNodeAsync(name, st, nodes, parentNode, ct);
    }

    private Task<Tree> LoadParentTreeAsync(BlobId id, CancellationToken ct) =>
        _prefetched.TryRemove(id, out var loading) ? loading : repo.LoadTreeAsync(id, ct);

    private async Task<Node> DirNodeAsync(string name, UnixStat st, List<Node> nodes, Node? parentNode, CancellationToken ct, bool count = true)
    {
        var id = await _sink.AddTreeAsync(new Tree(nodes), ct);
        if (count)
        {
            if (parentNode is null) _dirsNew++;
            else if (parentNode.Subtree == id) _dirsUnmodified++;
            else _dirsChanged++;
        }
        return Meta(name, NodeType.Dir, st) with { Subtree = id };
    }

    private async Task<Node?> ArchiveFileAsync(string path, string name, UnixStat st, Node? parentNode, CancellationToken ct)
    {
        _current = path;
        if (!_force && parentNode is { Type: NodeType.File, Content: { } previous } &&
            parentNode.Size == st.Size && parentNode.MtimeNs == st.MtimeNs && parentNode.CtimeNs == st.CtimeNs &&
            parentNode.Inode == st.Inode && previous.TrueForAll(repo.Index.Contains))
        {
            _filesUnmodified++;
            Interlocked.Increment(ref _filesDone);
            Interlocked.Add(ref _bytesDone, st.Size);
            return Meta(name, NodeType.File, st) with { Size = parentNode.Size, Content = previous };
        }

        var content = new List<BlobId>();
        long size = 0;
        try
        {
            // Only reading the source may fail softly (the file is named and left out); a failure to store
            // (disk full, storage unreachable) ends the backup.
            FileStream stream;
            try
            {
                stream = new FileStream(path, new FileStreamOptions
                {
                    Mode = FileMode.Open, Access = FileAccess.Read, Share = FileShare.ReadWrite | FileShare.Delete,
                    BufferSize = 0, Options = FileOptions.SequentialScan,
                });
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Fail(path, e.Message);
                return null;
            }
            await using (stream)
            {
                var reader = _reader ??= new ChunkReader(_chunker);
                reader.Reset(stream);
                while (true)
                {
                    ReadOnlyMemory<byte> chunk;
                    try
                    {
                        chunk = await reader.NextAsync(ct);
                    }
                    catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                    {
                        Fail(path, e.Message);
                        return null;
                    }
                    if (chunk.IsEmpty) break;
                    content.Add(await _sink.AddDataAsync(chunk, ct));
                    size += chunk.Length;
                    Interlocked.Add(ref _bytesDone, chunk.Length);
                }
            }
        }
        finally
        {
            Interlocked.Increment(ref _filesDone);
        }
        _bytesRead += size;
        if (parentNode is null) _filesNew++; else _filesChanged++;
        return Meta(name, NodeType.File, st) with { Size = size, Content = content };
    }

    private void Fail(string path, string message)
    {
        lock (_failed) _failed.Add(path);
        reporter?.Warning(path, message);
    }

    /// <summary>Counts files and bytes ahead of the walk, so progress can show a total and an ETA.</summary>
    private void ScanTotals(List<string> paths, CancellationToken ct)
    {
        var stack = new Stack<string>(paths);
        while (stack.Count > 0 && !ct.IsCancellationRequested)
        {
            var p = stack.Pop();
            if (!UnixStat.TryGet(p, out var st, out _)) continue;
            if (st.IsDir)
            {
                try
                {
                    foreach (var e in Directory.EnumerateFileSystemEntries(p))
                        if (_excludes.IsEmpty || !_excludes.IsExcluded(e, Path.GetFileName(e))) stack.Push(e);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException) { }
            }
            else
            {
                Interlocked.Increment(ref _filesTotal);
                if (st.IsFile) Interlocked.Add(ref _bytesTotal, st.Size);
            }
        }
        _totalsFinal = !ct.IsCancellationRequested;
    }
}
