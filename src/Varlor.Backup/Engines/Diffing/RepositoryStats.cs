using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Trees;
using Varlor.Backup.Storage;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Engines.Diffing;

public sealed record RepositoryStatistics(
    int Snapshots, int Packs, long PackBytes, int DataBlobs, int TreeBlobs, long UniqueRawBytes, long StoredBlobBytes,
    long LatestSnapshotFiles, long LatestSnapshotBytes, long AllSnapshotsBytes)
{
    /// <summary>How many bytes of snapshots each stored byte represents (deduplication times compression).</summary>
    public double SpaceSavingRatio => PackBytes == 0 ? 0 : (double)AllSnapshotsBytes / PackBytes;
}

public static class RepositoryStats
{
    public static async Task<RepositoryStatistics> ComputeAsync(Repo repo, CancellationToken ct)
    {
        if (repo.Index.BlobCount == 0) await repo.LoadIndexAsync(ct);
        var snapshots = await repo.LoadSnapshotsAsync(ct, problems: []);
        int packs = 0, dataBlobs = 0, treeBlobs = 0;
        long packBytes = 0, raw = 0, stored = 0;
        await foreach (var (_, size) in repo.Backend.ListAsync(FileKind.Pack, ct)) { packs++; packBytes += size; }
        foreach (var (_, blobs) in repo.Index.Snapshot())
            foreach (var b in blobs)
            {
                if (b.Type == BlobType.Data) dataBlobs++; else treeBlobs++;
                raw += b.RawLength;
                stored += b.Length;
            }
        long latestFiles = 0, latestBytes = 0, allBytes = 0;
        for (var i = 0; i < snapshots.Count; i++)
        {
            // Snapshot sizes come from their summaries: no tree walk over the whole history.
            var s = snapshots[i].Summary;
            allBytes += s?.TotalBytesProcessed ?? 0;
            if (i == snapshots.Count - 1)
            {
                latestFiles = s?.TotalFilesProcessed ?? 0;
                latestBytes = s?.TotalBytesProcessed ?? 0;
            }
        }
        return new RepositoryStatistics(snapshots.Count, packs, packBytes, dataBlobs, treeBlobs, raw, stored, latestFiles, latestBytes, allBytes);
    }
}
