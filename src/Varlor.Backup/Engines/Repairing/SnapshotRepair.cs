using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Packs;
using Varlor.Backup.Repository.Snapshots;
using Varlor.Backup.Repository.Trees;
using Varlor.Backup.Storage;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Engines.Repairing;

public sealed record RepairedSnapshot(BlobId Original, BlobId Repaired, IReadOnlyList<string> DroppedPaths);

/// <summary>
/// Rewrites snapshots that reference lost blobs (not in the index): files with lost data and folders with lost
/// trees are dropped, everything else kept as is. The new snapshot is tagged "repaired" and names the original
/// in its tags; the original is removed only when asked (<c>forgetOriginals</c>).
/// </summary>
public sealed class SnapshotRepair(Repo repo)
{
    public async Task<List<RepairedSnapshot>> RunAsync(bool forgetOriginals, CancellationToken ct)
    {
        if (repo.Index.BlobCount == 0) await repo.LoadIndexAsync(ct);
        var repaired = new List<RepairedSnapshot>();
        await using var packer = new Packer(repo);
        var pendingSnapshots = new List<(Snapshot Original, Snapshot Fixed, List<string> Dropped)>();
        foreach (var snapshot in await repo.LoadSnapshotsAsync(ct))
        {
            var dropped = new List<string>();
            var root = await RewriteAsync(snapshot.Tree, "", dropped, packer, ct);
            if (dropped.Count == 0) continue;
            var tags = snapshot.Tags.Append("repaired").Append("repaired-from-" + snapshot.Id.Short).Distinct().Order(StringComparer.Ordinal).ToList();
            pendingSnapshots.Add((snapshot, snapshot with { Tree = root ?? await EmptyTreeAsync(packer, ct), Tags = tags }, dropped));
        }
        await packer.FlushAsync(ct);
        if (packer.WrittenPacks.Count > 0) await repo.SaveIndexAsync(new(packer.WrittenPacks), ct);
        foreach (var (original, fixedSnapshot, dropped) in pendingSnapshots)
        {
            var id = await repo.SaveSnapshotAsync(fixedSnapshot, ct);
            if (forgetOriginals) await repo.Backend.DeleteAsync(FileKind.Snapshot, original.Id.ToString(), ct);
            repaired.Add(new RepairedSnapshot(original.Id, id, dropped));
        }
        return repaired;
    }

    /// <summary>The tree without its lost parts, stored when it changed; null when the tree itself is lost.</summary>
    private async Task<BlobId?> RewriteAsync(BlobId treeId, string path, List<string> dropped, Packer packer, CancellationToken ct)
    {
        Tree tree;
        try { tree = await repo.LoadTreeAsync(treeId, ct); }
        catch (CorruptDataException)
        {
            dropped.Add(path.Length == 0 ? "/" : path + "/");
            return null;
        }
        var nodes = new List<Node>(tree.Nodes.Count);
        var changed = false;
        foreach (var node in tree.Nodes)
        {
            var p = path + "/" + node.Name;
            if (node.Type == NodeType.Dir)
            {
                var sub = await RewriteAsync(node.Subtree!.Value, p, dropped, packer, ct);
                if (sub is null) { changed = true; continue; }
                changed |= sub != node.Subtree;
                nodes.Add(node with { Subtree = sub });
            }
            else if (node.Content is { } content && !content.TrueForAll(repo.Index.Contains))
            {
                dropped.Add(p);
                changed = true;
            }
            else nodes.Add(node);
        }
        if (!changed) return treeId;
        return await StoreTreeAsync(new Tree(nodes), packer, ct);
    }

    private async Task<BlobId> StoreTreeAsync(Tree tree, Packer packer, CancellationToken ct)
    {
        var bytes = Repo.EncodeTree(tree);
        var id = repo.Key.ComputeId(bytes);
        if (!repo.Index.Contains(id)) await packer.AddAsync(id, BlobType.Tree, bytes, ct);
        return id;
    }

    private Task<BlobId> EmptyTreeAsync(Packer packer, CancellationToken ct) => StoreTreeAsync(new Tree([]), packer, ct);
}
