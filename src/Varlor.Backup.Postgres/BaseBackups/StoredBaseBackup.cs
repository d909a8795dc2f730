using System.Text.Json;
using Varlor.Backup.Engines.Restoring;
using Varlor.Backup.Engines.Wal;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Snapshots;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Postgres.BaseBackups;

/// <summary>A base backup snapshot with the manifest recorded beside its tar.</summary>
public sealed record StoredBaseBackup(Snapshot Snapshot, BaseBackupManifest Manifest)
{
    /// <summary>The point from which a restore of this backup is consistent, for the WAL chain.</summary>
    public WalBackupPoint Point => new(Snapshot.Id.Short, (uint)Manifest.Timeline, Lsn(Manifest.StartLsn),
        Lsn(Manifest.EndLsn ?? Manifest.StartLsn), Manifest.Finished ?? Manifest.Started.AddSeconds(Manifest.DurationSeconds));

    public DateTimeOffset Finished => Point.Finished;

    private static ulong Lsn(string text) => WalFileName.TryParseLsn(text, out var lsn) ? lsn
        : throw new CorruptDataException($"base backup manifest: '{text}' is not an LSN");

    /// <summary>Every base backup in the repository, oldest first (needs the index loaded).</summary>
    public static async Task<List<StoredBaseBackup>> LoadAllAsync(Repo repo, CancellationToken ct)
    {
        var result = new List<StoredBaseBackup>();
        foreach (var s in (await repo.LoadSnapshotsAsync(ct, problems: [])).Where(s => s.Tags.Contains("basebackup")).OrderBy(s => s.Time))
            result.Add(await LoadAsync(repo, s, ct));
        return result;
    }

    public static async Task<StoredBaseBackup> LoadAsync(Repo repo, Snapshot snapshot, CancellationToken ct)
    {
        var folder = snapshot.Paths.Find(p => p.StartsWith(BaseBackup.Root + "/", StringComparison.Ordinal))
            ?? throw new VarlorException($"snapshot {snapshot.Id.Short} is not a base backup (made by 'db basebackup')");
        var node = await SnapshotFile.FindAsync(repo, snapshot, $"{folder}/{BaseBackup.ManifestFile}", ct)
            ?? throw new VarlorException($"snapshot {snapshot.Id.Short} lacks {BaseBackup.ManifestFile}");
        try
        {
            return new StoredBaseBackup(snapshot, BaseBackupManifest.FromJson(await SnapshotFile.ReadAllAsync(repo, node, ct)));
        }
        catch (JsonException e)
        {
            throw new CorruptDataException($"snapshot {snapshot.Id.Short}: unreadable {BaseBackup.ManifestFile} ({e.Message})");
        }
    }
}
