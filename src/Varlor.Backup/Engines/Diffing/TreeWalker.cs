using System.Runtime.CompilerServices;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Trees;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Engines.Diffing;

/// <summary>Walks a snapshot's trees depth-first in name order, yielding every node with its path as `ls` shows it.</summary>
public static class TreeWalker
{
    public static async IAsyncEnumerable<(string Path, Node Node)> WalkAsync(Repo repo, BlobId root, string? under,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var prefix = under is null ? null : "/" + string.Join('/', under.Split('/', StringSplitOptions.RemoveEmptyEntries));
        if (prefix == "/") prefix = null;
        var matched = false;
        await foreach (var item in WalkTreeAsync(repo, root, "", prefix, ct))
        {
            matched = true;
            yield return item;
        }
        if (!matched && prefix is not null) throw new VarlorException($"'{under}' is not in this snapshot");
    }

    private static async IAsyncEnumerable<(string Path, Node Node)> WalkTreeAsync(Repo repo, BlobId treeId, string path, string? prefix,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var tree = await repo.LoadTreeAsync(treeId, ct);
        foreach (var node in tree.Nodes)
        {
            var p = path + "/" + node.Name;
            var inside = prefix is null || p == prefix || p.StartsWith(prefix + "/", StringComparison.Ordinal);
            if (inside) yield return (p, node);
            if (node.Type == NodeType.Dir && (inside || prefix!.StartsWith(p + "/", StringComparison.Ordinal)))
                await foreach (var child in WalkTreeAsync(repo, node.Subtree!.Value, p, prefix, ct))
                    yield return child;
        }
    }
}
