using Varlor.Backup.Engines.Wal;
using Varlor.Backup.Postgres.BaseBackups;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Postgres.Wal;

/// <summary>The WAL archive as a whole: per timeline its segments, gaps and recoverable window; and the base backups.</summary>
public sealed record WalStatus(long SegmentSize, int Files, long StoredBytes, List<TimelineWindow> Timelines, List<StoredBaseBackup> BaseBackups)
{
    public bool HasGaps => Timelines.Any(t => t.Gaps.Count > 0);

    /// <summary>Reads the archive listing, the base backups' manifests and the push time of each window's last segment.</summary>
    public static async Task<WalStatus> LoadAsync(Repo repo, CancellationToken ct)
    {
        await repo.LoadIndexAsync(ct);
        var backups = await StoredBaseBackup.LoadAllAsync(repo, ct);
        var archive = new WalArchive(repo);
        var files = await archive.ListAsync(ct);
        var segmentSize = backups.Count > 0 ? backups[^1].Manifest.WalSegmentSize : 16L * 1024 * 1024;
        var windows = WalWindowCalculator.Compute(files.Select(f => f.Name), backups.Select(b => b.Point).ToList(), segmentSize);
        foreach (var r in windows.SelectMany(w => w.Ranges))
            r.ToTime = (await archive.FetchAsync(r.ToSegment, ct)).Info.Pushed;
        return new WalStatus(segmentSize, files.Count, files.Sum(f => f.StoredSize), windows, backups);
    }
}
