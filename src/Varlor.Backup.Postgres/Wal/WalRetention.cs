using Varlor.Backup.Engines.Wal;
using Varlor.Backup.Postgres.BaseBackups;
using Varlor.Backup.Repository;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Postgres.Wal;

/// <summary>What WAL retention removed (or would remove), and from where the archive is kept.</summary>
public sealed record WalExpiry(int Deleted, long BytesFreed, string? KeptFrom, string? OldestBackup, string? Note);

/// <summary>
/// Base backups and WAL are kept together: WAL is needed from the start of the oldest kept base backup on (and on
/// every later timeline); what is older serves no restore and is removed when prune runs. Timeline history files
/// are always kept (they are tiny and recovery follows them). With no base backup left, all WAL is kept: removing
/// it would be a decision about data no rule covers.
/// </summary>
public static class WalRetention
{
    public static async Task<WalExpiry> ExpireAsync(Repo repo, IReadOnlySet<BlobId> forgotten, bool dryRun, CancellationToken ct)
    {
        var archive = new WalArchive(repo);
        var files = await archive.ListAsync(ct);
        if (files.Count == 0) return new WalExpiry(0, 0, null, null, null);
        var problems = await repo.LoadIndexAsync(ct);
        if (problems.Count > 0) throw new VarlorException($"WAL retention refuses to run on a damaged index ({problems[0]}); run 'varlor-backup repair index' first");
        var kept = (await StoredBaseBackup.LoadAllAsync(repo, ct)).Where(b => !forgotten.Contains(b.Snapshot.Id)).ToList();
        if (kept.Count == 0) return new WalExpiry(0, 0, null, null, "no base backup is kept, so all archived WAL is kept");

        var oldest = kept.MinBy(b => (b.Point.Timeline, b.Point.StartLsn))!;
        var segmentSize = oldest.Manifest.WalSegmentSize;
        var firstKept = oldest.Point.StartLsn / (ulong)segmentSize;
        var expired = files.Where(f => f.Name.Kind != WalFileKind.History &&
            (f.Name.Timeline < oldest.Point.Timeline || (f.Name.Timeline == oldest.Point.Timeline && f.Name.SegmentNumber(segmentSize) < firstKept))).ToList();
        if (!dryRun)
            foreach (var (name, _) in expired)
                await archive.DeleteAsync(name.Name, ct);
        return new WalExpiry(expired.Count, expired.Sum(f => f.StoredSize),
            WalFileName.SegmentName(oldest.Point.Timeline, firstKept, segmentSize), oldest.Snapshot.Id.Short, null);
    }
}
