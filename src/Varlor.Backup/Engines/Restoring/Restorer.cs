using System.Diagnostics;
using System.Threading.Channels;
using Varlor.Backup.Engines.Archiving;
using Varlor.Backup.Engines.FileSystem;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Snapshots;
using Varlor.Backup.Repository.Trees;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Engines.Restoring;

/// <summary>
/// Restores a snapshot, or the parts of it named by includes, under a target folder. Every entry name was
/// validated as one path component when its tree was read, and every folder on the way is made a real folder
/// (a symlink planted in the target is replaced, never followed), so nothing is written outside the target.
/// Files are written to a temporary name and renamed; a file already identical in the target is left alone;
/// a file whose data fails verification is not written at all and is reported.
/// </summary>
public sealed class Restorer(Repo repo, IEngineReporter? reporter = null)
{
    private readonly List<string> _errors = [];
    private readonly List<(string Path, Node Node)> _dirs = [];
    private readonly Stopwatch _clock = new();
    private readonly bool _isRoot = NativeMethods.geteuid() == 0;
    private long _filesRestored, _filesUnchanged, _bytesWritten, _symlinks, _filesDone, _bytesDone, _filesTotal, _bytesTotal;

    public RestoreProgress Progress => new(Interlocked.Read(ref _filesDone), Interlocked.Read(ref _bytesDone),
        Interlocked.Read(ref _filesTotal), Interlocked.Read(ref _bytesTotal), _clock.Elapsed);

    public async Task<RestoreResult> RunAsync(Snapshot snapshot, RestoreOptions options, CancellationToken ct)
    {
        _clock.Start();
        var includes = options.Includes.Select(RestorePath.Normalize).ToList();
        var target = Path.GetFullPath(options.Target).TrimEnd('/');
        if (target.Length == 0) throw new VarlorException("refusing to restore over / : choose a target folder");
        if (repo.Index.BlobCount == 0) await repo.LoadIndexAsync(ct);
        EnsureRealDir(target, mustBeCreatable: true);

        var files = Channel.CreateBounded<(string Dest, Node Node)>(256);
        var workers = Enumerable.Range(0, options.Workers).Select(_ => Task.Run(async () =>
        {
            await foreach (var (dest, node) in files.Reader.ReadAllAsync(ct)) await RestoreFileAsync(dest, node, ct);
        }, ct)).ToArray();
        var found = false;
        try
        {
            found = await WalkAsync(snapshot.Tree, "", target, includes, files.Writer, ct);
        }
        finally
        {
            // Even when the walk fails, the files already handed out are finished (or cleaned up) before returning.
            files.Writer.TryComplete();
            await Task.WhenAll(workers);
        }
        if (!found && includes.Count > 0)
            throw new VarlorException($"nothing in snapshot {snapshot.Id.Short} matches {string.Join(", ", includes)} (see 'varlor-backup ls')");

        // Folder metadata last, deepest first: writing files into a folder changes its mtime.
        foreach (var (path, node) in _dirs.OrderByDescending(d => d.Path.Length))
            ApplyMetadata(path, node);
        return new RestoreResult(_filesRestored, _filesUnchanged, _bytesWritten, _dirs.Count, _symlinks, _errors);
    }

    private async Task<bool> WalkAsync(BlobId treeId, string snapPath, string destDir, List<string> includes,
        ChannelWriter<(string, Node)> files, CancellationToken ct)
    {
        Tree tree;
        try
        {
            tree = await repo.LoadTreeAsync(treeId, ct);
        }
        catch (CorruptDataException e) when (snapPath.Length > 0)
        {
            // A damaged folder is reported; its siblings and the rest of the snapshot still restore.
            Error(destDir, "folder not restored: " + e.Message);
            return false;
        }
        var found = false;
        foreach (var node in tree.Nodes)
        {
            var path = snapPath + "/" + node.Name;
            var dest = destDir + "/" + node.Name;
            var selected = RestorePath.IsSelected(path, includes);
            if (!selected && !(node.Type == NodeType.Dir && RestorePath.LeadsToSelection(path, includes))) continue;
            found |= selected;
            switch (node.Type)
            {
                case NodeType.Dir:
                    EnsureRealDir(dest, mustBeCreatable: false);
                    if (selected) lock (_dirs) _dirs.Add((dest, node));
                    found |= await WalkAsync(node.Subtree!.Value, path, dest, includes, files, ct);
                    break;
                case NodeType.File:
                    Interlocked.Increment(ref _filesTotal);
                    Interlocked.Add(ref _bytesTotal, node.Size);
                    await files.WriteAsync((dest, node), ct);
                    break;
                case NodeType.Symlink:
                    RestoreSymlink(dest, node);
                    break;
            }
        }
        return found;
    }

    /// <summary>Makes <paramref name="path"/> a real folder: creates it, or replaces a symlink or file found there.</summary>
    private static void EnsureRealDir(string path, bool mustBeCreatable)
    {
        if (UnixStat.TryGet(path, out var st, out _))
        {
            if (st.IsDir) return;
            if (mustBeCreatable && !st.IsSymlink) throw new VarlorException($"restore target {path} exists and is not a folder");
            File.Delete(path); // a symlink or file where the snapshot has a folder: never follow it
        }
        Directory.CreateDirectory(path);
    }

    private void RestoreSymlink(string dest, Node node)
    {
        try
        {
            if (UnixStat.TryGet(dest, out var st, out _))
            {
                if (st.IsSymlink && new FileInfo(dest).LinkTarget == node.LinkTarget) { Interlocked.Increment(ref _symlinks); return; }
                if (st.IsDir) { Error(dest, "a folder is in the way of a symlink; left alone"); return; }
                File.Delete(dest);
            }
            File.CreateSymbolicLink(dest, node.LinkTarget ?? "");
            if (_isRoot) NativeMethods.lchown(dest, node.Uid, node.Gid);
            NativeMethods.SetTimes(dest, node.MtimeNs);
            Interlocked.Increment(ref _symlinks);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Error(dest, e.Message);
        }
    }

    private async Task RestoreFileAsync(string dest, Node node, CancellationToken ct)
    {
        var content = node.Content ?? [];
        try
        {
            if (await IsIdenticalAsync(dest, node, content, ct))
            {
                ApplyMetadata(dest, node);
                Interlocked.Increment(ref _filesUnchanged);
                return;
            }
            if (UnixStat.TryGet(dest, out var st, out _) && st.IsDir)
            {
                Error(dest, "a folder is in the way of a file; left alone");
                return;
            }
            var tmp = Path.Combine(Path.GetDirectoryName(dest)!, ".varlor-restore-" + Guid.NewGuid().ToString("N")[..12]);
            try
            {
                await using (var fs = new FileStream(tmp, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew, Access = FileAccess.Write, BufferSize = 0, PreallocationSize = node.Size,
                }))
                {
                    foreach (var id in content)
                    {
                        var (buffer, length) = await repo.ReadBlobPooledAsync(id, BlobType.Data, ct);
                        try
                        {
                            await fs.WriteAsync(buffer.AsMemory(0, length), ct);
                        }
                        finally
                        {
                            System.Buffers.ArrayPool<byte>.Shared.Return(buffer);
                        }
                        Interlocked.Add(ref _bytesDone, length);
                    }
                }
                ApplyMetadata(tmp, node);
                File.Move(tmp, dest, overwrite: true);
            }
            catch
            {
                File.Delete(tmp);
                throw;
            }
            Interlocked.Increment(ref _filesRestored);
            Interlocked.Add(ref _bytesWritten, node.Size);
        }
        catch (Exception e) when (e is CorruptDataException or IOException or UnauthorizedAccessException)
        {
            Error(dest, e.Message);
        }
        finally
        {
            Interlocked.Increment(ref _filesDone);
        }
    }

    /// <summary>An existing file counts as identical only if every chunk hashes to the snapshot's id.</summary>
    private async Task<bool> IsIdenticalAsync(string dest, Node node, List<BlobId> content, CancellationToken ct)
    {
        if (!UnixStat.TryGet(dest, out var st, out _) || !st.IsFile || st.Size != node.Size) return false;
        await using var fs = new FileStream(dest, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 0, FileOptions.SequentialScan);
        foreach (var id in content)
        {
            if (!repo.Index.TryGet(id, out var entry, out _)) return false;
            var buffer = new byte[entry.RawLength];
            await fs.ReadExactlyAsync(buffer, ct);
            if (repo.Key.ComputeId(buffer) != id) return false;
        }
        Interlocked.Add(ref _bytesDone, node.Size);
        return true;
    }

    private void ApplyMetadata(string path, Node node)
    {
        try
        {
            if (_isRoot) NativeMethods.lchown(path, node.Uid, node.Gid);
            File.SetUnixFileMode(path, (UnixFileMode)(node.Mode & 0xFFF));
            NativeMethods.SetTimes(path, node.MtimeNs);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Error(path, "metadata: " + e.Message);
        }
    }

    private void Error(string path, string message)
    {
        lock (_errors) _errors.Add($"{path}: {message}");
        reporter?.Warning(path, message);
    }
}
