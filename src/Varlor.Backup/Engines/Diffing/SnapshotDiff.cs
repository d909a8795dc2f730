using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Trees;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Engines.Diffing;

public enum ChangeKind { Added, Removed, Modified, MetadataChanged }

public sealed record Change(ChangeKind Kind, string Path, NodeType Type);

/// <summary>Differences between two snapshots; identical subtrees (same id) are skipped without being read.</summary>
public static class SnapshotDiff
{
    public static async Task<List<Change>> CompareAsync(Repo repo, BlobId a, BlobId b, CancellationToken ct)
    {
        var changes = new List<Change>();
        await CompareTreesAsync(repo, a, b, "", changes, ct);
        return changes;
    }

    private static async Task CompareTreesAsync(Repo repo, BlobId? a, BlobId? b, string path, List<Change> changes, CancellationToken ct)
    {
        if (a == b) return;
        var left = a is { } la ? (await repo.LoadTreeAsync(la, ct)).Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal) : [];
        var right = b is { } rb ? (await repo.LoadTreeAsync(rb, ct)).Nodes.ToDictionary(n => n.Name, StringComparer.Ordinal) : [];
        foreach (var name in left.Keys.Union(right.Keys).Order(StringComparer.Ordinal))
        {
            var p = path + "/" + name;
            left.TryGetValue(name, out var l);
            right.TryGetValue(name, out var r);
            if (l is null || r is null || l.Type != r.Type)
            {
                if (l is not null) await AddAllAsync(repo, ChangeKind.Removed, p, l, changes, ct);
                if (r is not null) await AddAllAsync(repo, ChangeKind.Added, p, r, changes, ct);
                continue;
            }
            if (l.Type == NodeType.Dir)
            {
                await CompareTreesAsync(repo, l.Subtree, r.Subtree, p, changes, ct);
                continue;
            }
            var contentChanged = l.Type == NodeType.File
                ? !(l.Content ?? []).SequenceEqual(r.Content ?? [])
                : l.LinkTarget != r.LinkTarget;
            if (contentChanged) changes.Add(new Change(ChangeKind.Modified, p, l.Type));
            else if (l.Mode != r.Mode || l.MtimeNs != r.MtimeNs || l.Uid != r.Uid || l.Gid != r.Gid)
                changes.Add(new Change(ChangeKind.MetadataChanged, p, l.Type));
        }
    }

    private static async Task AddAllAsync(Repo repo, ChangeKind kind, string path, Node node, List<Change> changes, CancellationToken ct)
    {
        changes.Add(new Change(kind, path, node.Type));
        if (node.Type != NodeType.Dir) return;
        await foreach (var (p, n) in TreeWalker.WalkAsync(repo, node.Subtree!.Value, null, ct))
            changes.Add(new Change(kind, path + p, n.Type));
    }
}
