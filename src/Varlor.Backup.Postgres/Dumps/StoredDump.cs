using System.Text.Json;
using Varlor.Backup.Engines.Restoring;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Snapshots;
using Varlor.Backup.Repository.Trees;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Postgres.Dumps;

/// <summary>A dump snapshot as stored: the dump file's node and the manifest recorded with it.</summary>
public sealed record StoredDump(Snapshot Snapshot, Node Dump, DumpManifest Manifest)
{
    /// <summary>The snapshot named (id, prefix or 'latest'; 'latest' means the latest snapshot tagged db).</summary>
    public static async Task<StoredDump> LoadAsync(Repo repo, string reference, CancellationToken ct)
    {
        await repo.LoadIndexAsync(ct);
        Snapshot snapshot;
        if (reference == "latest")
        {
            var all = await repo.LoadSnapshotsAsync(ct, problems: []);
            snapshot = all.Where(s => s.Tags.Contains("db")).OrderBy(s => s.Time).LastOrDefault()
                ?? throw new VarlorException("no database dump in this repository (no snapshot tagged db)");
        }
        else snapshot = await repo.FindSnapshotAsync(reference, ct);
        var folder = snapshot.Paths.Find(p => p.StartsWith(DbDumper.Root + "/", StringComparison.Ordinal))
            ?? throw new VarlorException($"snapshot {snapshot.Id.Short} is not a database dump (made by 'db dump')");
        var dump = await SnapshotFile.FindAsync(repo, snapshot, $"{folder}/{DbDumper.DumpFile}", ct);
        var manifestNode = await SnapshotFile.FindAsync(repo, snapshot, $"{folder}/{DbDumper.ManifestFile}", ct);
        if (dump is null || manifestNode is null)
            throw new VarlorException($"snapshot {snapshot.Id.Short} lacks {DbDumper.DumpFile} or {DbDumper.ManifestFile}");
        try
        {
            return new StoredDump(snapshot, dump, DumpManifest.FromJson(await SnapshotFile.ReadAllAsync(repo, manifestNode, ct)));
        }
        catch (JsonException e)
        {
            throw new CorruptDataException($"snapshot {snapshot.Id.Short}: unreadable {DbDumper.ManifestFile} ({e.Message})");
        }
    }
}
