using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Snapshots;
using Varlor.Backup.Repository.Trees;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Engines.Pruning;

/// <summary>Every blob (trees and data) that some snapshot needs. Each tree is read once, however many snapshots share it.</summary>
public static class UsedBlobs
{
    public static async Task<HashSet<BlobId>> CollectAsync(Repo repo, IEnumerable<Snapshot> snapshots, CancellationToken ct)
    {
        var used = new HashSet<BlobId>();
        var stack = new Stack<BlobId>();
        foreach (var s in snapshots)
            if (used.Add(s.Tree)) stack.Push(s.Tree);
        while (stack.Count > 0)
        {
            var tree = await repo.LoadTreeAsync(stack.Pop(), ct);
            foreach (var node in tree.Nodes)
            {
                if (node.Type == NodeType.Dir)
                {
                    if (used.Add(node.Subtree!.Value)) stack.Push(node.Subtree.Value);
                }
                else if (node.Content is { } content)
                {
                    foreach (var blob in content) used.Add(blob);
                }
            }
        }
        return used;
    }
}
