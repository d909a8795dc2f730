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
/// Restores a snapshot, or the parts of it named by includes, under a target folder ("/" puts files back in
/// place). Only the included paths (without includes: the snapshot's own paths) are written; the folders above
/// them are used as they are, and only created when missing.
/// <para>
/// Nothing is written outside the target: every entry name was validated as one path component when its tree was
/// read; a symlink or file found where an included folder belongs is replaced, never followed; a symlink on the
/// way to an include is followed only when it leads to a folder inside the target.
/// </para>
/// <para>
/// Files are written to a temporary name in their folder, given their owner, mode and times through the open
/// handle, and renamed into place. A file already identical (one link, same size, mode, mtime, owner as root,
/// and every chunk hashing to the snapshot's id) is left alone; a file with more than one link is replaced, so
/// that nothing reaches the other names of its inode. A file whose data fails verification is not written and
/// is reported.
/// </para>
/// </summary>
public sealed class Restorer(Repo repo, IEngineReporter? reporter = null)
{
    private const int ENOENT = 2;
    private readonly List<string> _errors = [];
    private readonly List<(string Path, Node Node)> _dirs = [];
    private readonly List<RestoreChange> _changes = [];
    private readonly Stopwatch _clock = new();
    private readonly bool _isRoot = NativeMethods.geteuid() == 0;
    private RestoreOptions _options = new() { Target = "" };
    /// <summary>The target with its symlinks resolved, without a trailing slash: "" for "/".</summary>
    private string _realTarget = "";
    /// <summary>The snapshot's own paths: the folders above them hold only the way to them, not what was there.</summary>
    private List<string> _roots = [];
    private long _filesRestored, _filesUnchanged, _bytesWritten, _symlinks, _filesDone, _bytesDone, _filesTotal, _bytesTotal;
    private long _created, _replaced, _deleted, _unchanged;

    public RestoreProgress Progress => new(Interlocked.Read(ref _filesDone), Interlocked.Read(ref _bytesDone),
        Interlocked.Read(ref _filesTotal), Interlocked.Read(ref _bytesTotal), _clock.Elapsed);

    public async Task<RestoreResult> RunAsync(Snapshot snapshot, RestoreOptions options, CancellationToken ct)
    {
        _clock.Start();
        _options = options;
        var includes = options.Includes.Select(RestorePath.Normalize).ToList();
        var named = includes.Count > 0 && !includes.Contains("/");
        // Without includes, what was backed up: the folders above it (/var, /var/www...) are only on the way.
        _roots = snapshot.Paths.Count > 0 ? [.. snapshot.Paths.Select(RestorePath.Normalize)] : ["/"];
        if (!named) includes = _roots;
        var target = Path.GetFullPath(options.Target).TrimEnd('/');
        if (repo.Index.BlobCount == 0) await repo.LoadIndexAsync(ct);
        var absent = PrepareTarget(target);
        _realTarget = absent ? target : (UnixFiles.RealPath(target.Length == 0 ? "/" : target) ?? target).TrimEnd('/');

        var files = Channel.CreateBounded<(string Dest, Node Node)>(256);
        var workers = Enumerable.Range(0, options.Workers).Select(_ => Task.Run(async () =>
        {
            await foreach (var (dest, node) in files.Reader.ReadAllAsync(ct)) await RestoreFileAsync(dest, node, ct);
        }, ct)).ToArray();
        var found = false;
        try
        {
            // The target itself is never an included folder: --delete never empties it.
            found = await WalkAsync(snapshot.Tree, "", _realTarget, selectedDir: false, absent, includes, files.Writer, ct);
        }
        finally
        {
            // Even when the walk fails, the files already handed out are finished (or cleaned up) before returning.
            files.Writer.TryComplete();
            await Task.WhenAll(workers);
        }
        if (!found && named)
            throw new VarlorException($"nothing in snapshot {snapshot.Id.Short} matches {string.Join(", ", includes)} (see 'varlor-backup ls')");

        // Folder metadata last, deepest first: writing files into a folder changes its mtime.
        foreach (var (path, node) in _dirs.OrderByDescending(d => d.Path.Length))
        {
            try
            {
                UnixFiles.SetFolderMetadata(path, _isRoot, node.Uid, node.Gid, node.Mode, node.MtimeNs);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Error(path, "metadata: " + e.Message);
            }
        }
        return new RestoreResult(_filesRestored, _filesUnchanged, _bytesWritten, _dirs.Count, _symlinks, _errors)
        {
            Created = _created, Replaced = _replaced, Deleted = _deleted, Unchanged = _unchanged, Changes = _changes,
        };
    }

    /// <summary>Makes the target a folder; in a dry run, tells whether it is missing (everything would be created).</summary>
    private bool PrepareTarget(string target)
    {
        var path = target.Length == 0 ? "/" : target;
        if (UnixStat.TryGet(path, out var st, out _))
        {
            if (st.IsDir) return false;
            if (!st.IsSymlink) throw new VarlorException($"restore target {path} exists and is not a folder");
            if (_options.DryRun) return true;
            File.Delete(path); // a symlink as target: never follow it
        }
        else if (_options.DryRun)
        {
            return true;
        }
        Directory.CreateDirectory(path);
        return false;
    }

    private async Task<bool> WalkAsync(BlobId treeId, string snapPath, string destDir, bool selectedDir, bool absent,
        List<string> includes, ChannelWriter<(string, Node)> files, CancellationToken ct)
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
        // Extras go first, before any temporary file of this run appears in the folder.
        if (selectedDir && _options.Delete && !absent) DeleteExtras(destDir, tree);
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
                    // An include above the snapshot's paths (/var/www for /var/www/varlor/...) restores what lies below
                    // it; the folder itself is only on the way: --delete there would remove what was never backed up.
                    var restored = selected && RestorePath.IsSelected(path, _roots);
                    var (dir, dirAbsent) = restored ? PrepareFolder(dest, node, absent) : PrepareParent(dest, node, absent);
                    if (dir is not null) found |= await WalkAsync(node.Subtree!.Value, path, dir, restored, dirAbsent, includes, files, ct);
                    break;
                case NodeType.File:
                    Interlocked.Increment(ref _filesTotal);
                    Interlocked.Add(ref _bytesTotal, node.Size);
                    if (absent) Count(RestoreAction.Create, dest); // a dry run under a folder that would be created
                    else await files.WriteAsync((dest, node), ct);
                    break;
                case NodeType.Symlink:
                    RestoreSymlink(dest, node, absent);
                    break;
            }
        }
        return found;
    }

    /// <summary>
    /// An included folder: created, kept, or (a symlink or file in its place) replaced, never followed. Returns
    /// where its entries go and whether it is missing (in a dry run), or a null path after an error.
    /// </summary>
    private (string? Path, bool Absent) PrepareFolder(string dest, Node node, bool absent)
    {
        if (absent) return Planned(RestoreAction.Create, dest);
        try
        {
            if (UnixStat.TryGet(dest, out var st, out var errno))
            {
                if (st.IsDir)
                {
                    if (!_options.DryRun) lock (_dirs) _dirs.Add((dest, node));
                    return (dest, false);
                }
                if (_options.DryRun) return Planned(RestoreAction.Replace, dest);
                File.Delete(dest);
                CreateFolder(dest, node, RestoreAction.Replace);
                return (dest, false);
            }
            if (errno != ENOENT) throw new IOException($"cannot stat (errno {errno})");
            if (_options.DryRun) return Planned(RestoreAction.Create, dest);
            CreateFolder(dest, node, RestoreAction.Create);
            return (dest, false);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Error(dest, e.Message);
            return (null, false);
        }
    }

    /// <summary>
    /// A folder on the way to an include: used as it is (its metadata untouched), created when missing. A
    /// symlink there is followed only to a folder inside the target; anything else stops the restore, since
    /// replacing it would change something outside the included paths.
    /// </summary>
    private (string? Path, bool Absent) PrepareParent(string dest, Node node, bool absent)
    {
        if (absent) return Planned(RestoreAction.Create, dest);
        if (!UnixStat.TryGet(dest, out var st, out var errno))
        {
            if (errno != ENOENT) throw new VarlorException($"cannot reach {dest} (errno {errno})");
            if (_options.DryRun) return Planned(RestoreAction.Create, dest);
            CreateFolder(dest, node, RestoreAction.Create);
            return (dest, false);
        }
        if (st.IsDir) return (dest, false);
        if (st.IsSymlink && UnixFiles.RealPath(dest) is { } real && IsInsideTarget(real) && UnixStat.TryGet(real, out var rst, out _) && rst.IsDir)
            return (real, false);
        throw new VarlorException(st.IsSymlink
            ? $"{dest} is a symlink that does not lead to a folder inside the target {TargetName}: restore neither follows it nor replaces it (it is not under an included path); restore into another --target"
            : $"{dest} is not a folder: restore does not replace it (it is not under an included path); restore into another --target");
    }

    private void CreateFolder(string dest, Node node, RestoreAction action)
    {
        Directory.CreateDirectory(dest); // its parent exists: only this folder is created
        lock (_dirs) _dirs.Add((dest, node));
        Count(action, dest);
    }

    private (string?, bool) Planned(RestoreAction action, string dest)
    {
        Count(action, dest);
        return (dest, true);
    }

    private string TargetName => _realTarget.Length == 0 ? "/" : _realTarget;

    private bool IsInsideTarget(string real) =>
        _realTarget.Length == 0 || real == _realTarget || real.StartsWith(_realTarget + "/", StringComparison.Ordinal);

    /// <summary>--delete: removes what an included folder holds and the snapshot does not.</summary>
    private void DeleteExtras(string dir, Tree tree)
    {
        var names = tree.Nodes.Select(n => n.Name).ToHashSet(StringComparer.Ordinal);
        List<string> entries;
        try
        {
            entries = [.. Directory.EnumerateFileSystemEntries(dir)];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Error(dir, "cannot list for --delete: " + e.Message);
            return;
        }
        foreach (var entry in entries.Where(e => !names.Contains(Path.GetFileName(e))).Order(StringComparer.Ordinal))
        {
            if (_options.DryRun) { Count(RestoreAction.Delete, entry); continue; }
            try
            {
                RemoveTree(entry);
                Count(RestoreAction.Delete, entry);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Error(entry, "not deleted: " + e.Message);
            }
        }
    }

    /// <summary>Removes a file, a symlink (not what it points to), or a folder with everything in it.</summary>
    private static void RemoveTree(string path)
    {
        if (UnixStat.TryGet(path, out var st, out _) && st.IsDir)
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(path).ToList()) RemoveTree(entry);
            Directory.Delete(path);
        }
        else
        {
            File.Delete(path);
        }
    }

    private void RestoreSymlink(string dest, Node node, bool absent)
    {
        if (absent) { Count(RestoreAction.Create, dest); return; }
        try
        {
            var exists = UnixStat.TryGet(dest, out var st, out _);
            if (exists && st.IsSymlink && new FileInfo(dest).LinkTarget == node.LinkTarget)
            {
                Interlocked.Increment(ref _unchanged);
                Interlocked.Increment(ref _symlinks);
                return;
            }
            if (exists && st.IsDir && !_options.Delete) { Error(dest, "a folder is in the way of a symlink; left alone (--delete replaces it)"); return; }
            var action = exists ? RestoreAction.Replace : RestoreAction.Create;
            if (_options.DryRun) { Count(action, dest); return; }
            var tmp = TempName(dest);
            File.CreateSymbolicLink(tmp, node.LinkTarget ?? "");
            try
            {
                // Metadata on the link this restore just created, under its temporary name.
                if (_isRoot) NativeMethods.lchown(tmp, node.Uid, node.Gid);
                NativeMethods.SetTimes(tmp, node.MtimeNs);
                if (exists && st.IsDir) RemoveTree(dest);
                UnixFiles.Rename(tmp, dest);
            }
            catch
            {
                File.Delete(tmp);
                throw;
            }
            Count(action, dest);
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
            var exists = UnixStat.TryGet(dest, out var st, out _);
            if (exists && st.IsDir && !_options.Delete)
            {
                Error(dest, "a folder is in the way of a file; left alone (--delete replaces it)");
                return;
            }
            if (exists && await IsIdenticalAsync(dest, st, node, content, ct))
            {
                Interlocked.Increment(ref _filesUnchanged);
                Interlocked.Increment(ref _unchanged);
                return;
            }
            var action = exists ? RestoreAction.Replace : RestoreAction.Create;
            if (_options.DryRun) { Count(action, dest); return; }
            var tmp = TempName(dest);
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
                    // Replacing a live file: the new content is on disk before the old one goes, so a power cut
                    // leaves one or the other. A new file is not synced one by one (a restore of millions would
                    // crawl); a rerun finds any that a power cut left short and writes them again.
                    if (exists) fs.Flush(flushToDisk: true);
                    SetMetadata(fs, dest, node);
                }
                if (exists && st.IsDir) RemoveTree(dest);
                UnixFiles.Rename(tmp, dest); // replaces a symlink found there, never what it points to
            }
            catch
            {
                File.Delete(tmp);
                throw;
            }
            Count(action, dest);
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

    /// <summary>Through the handle of the temporary file this restore created: nothing else can be reached.</summary>
    private void SetMetadata(FileStream fs, string dest, Node node)
    {
        try
        {
            UnixFiles.SetMetadata(fs.SafeFileHandle, _isRoot, node.Uid, node.Gid, node.Mode, node.MtimeNs);
        }
        catch (IOException e)
        {
            Error(dest, "metadata: " + e.Message); // the content is right: it still goes into place
        }
    }

    private static string TempName(string dest) =>
        Path.Combine(Path.GetDirectoryName(dest)!, ".varlor-restore-" + Guid.NewGuid().ToString("N")[..12]);

    /// <summary>
    /// An existing file counts as identical only if it is a regular file with one link, the snapshot's size, mode,
    /// mtime (and owner, as root), and every chunk hashes to the snapshot's id.
    /// </summary>
    private async Task<bool> IsIdenticalAsync(string dest, UnixStat st, Node node, List<BlobId> content, CancellationToken ct)
    {
        if (!st.IsFile || st.Links != 1 || st.Size != node.Size || st.Permissions != (node.Mode & 0xFFF) || st.MtimeNs != node.MtimeNs) return false;
        if (_isRoot && (st.Uid != node.Uid || st.Gid != node.Gid)) return false;
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

    private void Count(RestoreAction action, string path)
    {
        switch (action)
        {
            case RestoreAction.Create: Interlocked.Increment(ref _created); break;
            case RestoreAction.Replace: Interlocked.Increment(ref _replaced); break;
            default: Interlocked.Increment(ref _deleted); break;
        }
        if (_options.DryRun) lock (_changes) _changes.Add(new RestoreChange(action, path));
    }

    private void Error(string path, string message)
    {
        lock (_errors) _errors.Add($"{path}: {message}");
        reporter?.Warning(path, message);
    }
}
