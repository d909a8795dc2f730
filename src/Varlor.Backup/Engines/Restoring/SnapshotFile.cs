using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Snapshots;
using Varlor.Backup.Repository.Trees;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Engines.Restoring;

/// <summary>
/// One file of a snapshot read as a stream (to pipe a stored dump into its restore tool): every chunk is
/// authenticated and checked against its id before a byte of it is written; the next chunk is read ahead.
/// </summary>
public static class SnapshotFile
{
    /// <summary>The node at an absolute path of the snapshot ("/postgresql/varlor/dump.pgdump"), or null.</summary>
    public static async Task<Node?> FindAsync(Repo repo, Snapshot snapshot, string path, CancellationToken ct)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        var tree = await repo.LoadTreeAsync(snapshot.Tree, ct);
        for (var i = 0; i < parts.Length; i++)
        {
            var node = tree.Nodes.Find(n => n.Name == parts[i]);
            if (node is null) return null;
            if (i == parts.Length - 1) return node;
            if (node is not { Type: NodeType.Dir, Subtree: { } sub }) return null;
            tree = await repo.LoadTreeAsync(sub, ct);
        }
        return null;
    }

    public static async Task CopyToAsync(Repo repo, Node file, Stream destination, CancellationToken ct)
    {
        if (file.Type != NodeType.File || file.Content is null) throw new VarlorException($"{file.Name} is not a file");
        Task<byte[]>? next = null;
        for (var i = 0; i < file.Content.Count; i++)
        {
            var current = next ?? repo.ReadBlobAsync(file.Content[i], BlobType.Data, ct);
            next = i + 1 < file.Content.Count ? repo.ReadBlobAsync(file.Content[i + 1], BlobType.Data, ct) : null;
            var data = await current;
            await destination.WriteAsync(data, ct);
        }
    }

    public static async Task<byte[]> ReadAllAsync(Repo repo, Node file, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await CopyToAsync(repo, file, buffer, ct);
        return buffer.ToArray();
    }
}
