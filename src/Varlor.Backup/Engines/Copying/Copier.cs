using System.Collections.Concurrent;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Index;
using Varlor.Backup.Repository.Packs;
using Varlor.Backup.Repository.Snapshots;
using Varlor.Backup.Repository.Trees;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Engines.Copying;

/// <summary>
/// Copies snapshots between repositories with different keys. Blob ids are keyed HMACs, so every blob gets a new
/// id in the target: each data blob's plaintext is read (and verified) from the source, its target id computed,
/// and it is stored only if the target lacks it; trees are rewritten bottom-up with the target's ids. The copied
/// snapshot records the source snapshot's id (<see cref="Snapshot.Original"/>), so copying again adds nothing; an
/// interrupted copy leaves packs that the next run adopts by their headers instead of sending again.
/// </summary>
public sealed class Copier(Repo source, Repo target)
{
    private readonly ConcurrentDictionary<BlobId, BlobId> _data = new();
    private readonly ConcurrentDictionary<BlobId, BlobId> _trees = new();
    private readonly ConcurrentDictionary<BlobId, bool> _pending = new();
    private long _blobsRead;
    private Packer? _packer;
    private int _parallelism = 8;

    public async Task<CopyResult> RunAsync(CopyOptions options, CancellationToken ct)
    {
        _parallelism = Math.Max(1, options.Parallelism);
        await source.LoadIndexAsync(ct);
        await target.LoadIndexAsync(ct);
        var adopted = await target.AdoptUnindexedPacksAsync(null, ct);
        var selected = await SnapshotSelector.SelectAsync(source, options.Snapshots, options.Filter, ct);
        var inTarget = new Dictionary<BlobId, BlobId>();
        var copies = new Dictionary<BlobId, Snapshot>();
        foreach (var s in await target.LoadSnapshotsAsync(ct))
        {
            if (s.Original is not { } original) continue;
            inTarget.TryAdd(original, s.Id);
            copies.TryAdd(original, s);
        }
        var sourceSnapshots = (await source.LoadSnapshotsAsync(ct)).ToDictionary(s => s.Id);

        var copied = new List<CopiedSnapshot>();
        var skipped = new List<BlobId>();
        long blobsAdded = 0, bytesAdded = 0;
        if (adopted.Count > 0) await target.SaveIndexAsync(new IndexDocument(adopted), ct);
        foreach (var snapshot in selected)
        {
            if (inTarget.ContainsKey(snapshot.Id))
            {
                skipped.Add(snapshot.Id);
                continue;
            }
            BlobId root;
            await SeedAsync(snapshot, sourceSnapshots, copies, ct);
            await using (var packer = _packer = new Packer(target))
            {
                root = await CopyTreeAsync(snapshot.Tree, ct);
                await packer.FlushAsync(ct);
                // The data first, then the index naming it, then the snapshot naming both.
                var written = packer.WrittenPacks;
                if (written.Count > 0) await target.SaveIndexAsync(new IndexDocument(written), ct);
                blobsAdded += packer.BlobsAdded;
                bytesAdded += packer.BytesAdded;
            }
            _pending.Clear();
            var copy = snapshot with
            {
                Tree = root,
                Parent = snapshot.Parent is { } p && inTarget.TryGetValue(p, out var mapped) ? mapped : null,
                Original = snapshot.Id,
            };
            var id = await target.SaveSnapshotAsync(copy, ct);
            inTarget[snapshot.Id] = id;
            copies[snapshot.Id] = copy with { Id = id };
            copied.Add(new CopiedSnapshot(snapshot.Id, id));
        }
        return new CopyResult(copied, skipped, Interlocked.Read(ref _blobsRead), blobsAdded, bytesAdded);
    }

    /// <summary>
    /// Learns which target blob each source blob became from an earlier copy (the snapshot's parent, else the latest
    /// of the same host and paths), by walking both trees side by side: unchanged files then need no reading.
    /// </summary>
    private async Task SeedAsync(Snapshot snapshot, Dictionary<BlobId, Snapshot> sourceSnapshots, Dictionary<BlobId, Snapshot> copies, CancellationToken ct)
    {
        var seed = snapshot.Parent is { } parent && copies.ContainsKey(parent) && sourceSnapshots.ContainsKey(parent) ? parent : (BlobId?)null;
        seed ??= sourceSnapshots.Values
            .Where(s => copies.ContainsKey(s.Id) && s.Hostname == snapshot.Hostname && s.Paths.SequenceEqual(snapshot.Paths))
            .OrderByDescending(s => s.Time).Select(s => (BlobId?)s.Id).FirstOrDefault();
        if (seed is { } id) await LearnAsync(sourceSnapshots[id].Tree, copies[id].Tree, ct);
    }

    /// <summary>Maps a source tree onto its copy; false (and the tree unmapped) where they differ.</summary>
    private async Task<bool> LearnAsync(BlobId sourceTree, BlobId targetTree, CancellationToken ct)
    {
        if (_trees.TryGetValue(sourceTree, out var known)) return known == targetTree;
        if (!target.Index.Contains(targetTree)) return false;
        var a = await source.LoadTreeAsync(sourceTree, ct);
        var b = await target.LoadTreeAsync(targetTree, ct);
        if (a.Nodes.Count != b.Nodes.Count) return false;
        var same = true;
        for (var i = 0; i < a.Nodes.Count; i++)
        {
            var (x, y) = (a.Nodes[i], b.Nodes[i]);
            if (x.Name != y.Name || x.Type != y.Type || x.Size != y.Size || x.Content?.Count != y.Content?.Count) return false;
            if (x.Content is { } xc && y.Content is { } yc)
                for (var k = 0; k < xc.Count; k++)
                    if (target.Index.Contains(yc[k])) _data.TryAdd(xc[k], yc[k]);
            if (x.Subtree is { } xs && y.Subtree is { } ys) same &= await LearnAsync(xs, ys, ct);
        }
        if (same) _trees.TryAdd(sourceTree, targetTree);
        return same;
    }

    /// <summary>Rewrites one tree (after its subtrees and file contents) with the target's ids; returns its target id.</summary>
    private async Task<BlobId> CopyTreeAsync(BlobId sourceTree, CancellationToken ct)
    {
        if (_trees.TryGetValue(sourceTree, out var known)) return known;
        var tree = await source.LoadTreeAsync(sourceTree, ct);
        var blobs = tree.Nodes.Where(n => n.Content is not null).SelectMany(n => n.Content!).Distinct().ToList();
        await Parallel.ForEachAsync(blobs, new ParallelOptions { MaxDegreeOfParallelism = _parallelism, CancellationToken = ct },
            async (blob, token) => await CopyDataAsync(blob, token));
        var nodes = new List<Node>(tree.Nodes.Count);
        foreach (var node in tree.Nodes)
        {
            var copy = node;
            if (node.Content is { } content) copy = copy with { Content = [.. content.Select(b => _data[b])] };
            if (node.Subtree is { } sub) copy = copy with { Subtree = await CopyTreeAsync(sub, ct) };
            nodes.Add(copy);
        }
        var bytes = Repo.EncodeTree(new Tree(nodes));
        var id = target.Key.ComputeId(bytes);
        await AddIfMissingAsync(id, BlobType.Tree, bytes, ct);
        _trees[sourceTree] = id;
        return id;
    }

    private async Task CopyDataAsync(BlobId sourceBlob, CancellationToken ct)
    {
        if (_data.ContainsKey(sourceBlob)) return;
        var plaintext = await source.ReadBlobAsync(sourceBlob, BlobType.Data, ct);
        Interlocked.Increment(ref _blobsRead);
        var id = target.Key.ComputeId(plaintext);
        await AddIfMissingAsync(id, BlobType.Data, plaintext, ct);
        _data[sourceBlob] = id;
    }

    private async Task AddIfMissingAsync(BlobId id, BlobType type, byte[] plaintext, CancellationToken ct)
    {
        if (target.Index.Contains(id) || !_pending.TryAdd(id, true)) return;
        await _packer!.AddAsync(id, type, plaintext, ct);
    }
}
