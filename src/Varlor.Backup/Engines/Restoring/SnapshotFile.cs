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

    /// <summary>
    /// Writes a file's content in order while the next blobs are read, authenticated and decompressed on other
    /// cores (a window of 2 x cores blobs, at most 4 MiB each): a single stream such as a base backup's tar is
    /// otherwise bound by one core's decompression.
    /// </summary>
    public static async Task CopyToAsync(Repo repo, Node file, Stream destination, CancellationToken ct)
    {
        if (file.Type != NodeType.File || file.Content is null) throw new VarlorException($"{file.Name} is not a file");
        var window = Math.Max(2, 2 * Environment.ProcessorCount);
        var pending = new Queue<Task<byte[]>>();
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var next = 0;
        try
        {
            while (next < file.Content.Count || pending.Count > 0)
            {
                while (next < file.Content.Count && pending.Count < window)
                {
                    var id = file.Content[next++];
                    pending.Enqueue(Task.Run(() => repo.ReadBlobAsync(id, BlobType.Data, stop.Token), stop.Token));
                }
                var data = await pending.Dequeue();
                await destination.WriteAsync(data, ct);
            }
        }
        catch
        {
            // Do not leave reads running against a repository the caller is about to close.
            await stop.CancelAsync();
            foreach (var t in pending) try { await t; } catch (Exception) { /* already failing */ }
            throw;
        }
    }

    public static async Task<byte[]> ReadAllAsync(Repo repo, Node file, CancellationToken ct)
    {
        using var buffer = new MemoryStream();
        await CopyToAsync(repo, file, buffer, ct);
        return buffer.ToArray();
    }
}
