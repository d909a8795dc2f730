using Varlor.Backup.Engines.Archiving;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Index;
using Varlor.Backup.Repository.Packs;
using Crypto = Varlor.Backup.Repository.Crypto;
using Varlor.Backup.Storage;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Engines.Pruning;

/// <summary>
/// Removes data no snapshot needs. Runs under the exclusive lock (no backup can add references meanwhile).
/// Crash-safe by ordering alone: (1) used blobs of packs to repack are written to new packs; (2) a new index
/// naming every pack that stays is written; (3) the old index files are deleted; (4) the obsolete packs are
/// deleted. Killed anywhere, every snapshot's blobs stay reachable through some index or some pack header, and a
/// rerun (which first adopts unindexed packs) finishes the job.
/// </summary>
public sealed class Pruner(Repo repo, IEngineReporter? reporter = null)
{
    public async Task<PruneReport> RunAsync(PruneOptions options, CancellationToken ct)
    {
        var oldIndexes = await repo.ListIdsAsync(FileKind.Index, ct);
        var indexProblems = await repo.LoadIndexAsync(ct);
        if (indexProblems.Count > 0)
            throw new VarlorException($"prune refuses to run on a damaged index ({indexProblems[0]}); run 'varlor-backup repair index' first");
        var adopted = await repo.AdoptUnindexedPacksAsync(reporter is null ? null : reporter.Warning, ct);

        var problems = new List<string>();
        var snapshots = (await repo.LoadSnapshotsAsync(ct, problems)).Where(s => !options.Forgotten.Contains(s.Id)).ToList();
        if (problems.Count > 0)
            throw new VarlorException($"prune refuses to run while a snapshot is unreadable ({problems[0]}); run 'varlor-backup check'");
        HashSet<BlobId> used;
        try
        {
            used = await UsedBlobs.CollectAsync(repo, snapshots, ct);
        }
        catch (CorruptDataException e)
        {
            throw new VarlorException($"prune refuses to run: {e.Message}; run 'varlor-backup check'");
        }
        var sizes = new Dictionary<BlobId, long>();
        await foreach (var (name, size) in repo.Backend.ListAsync(FileKind.Pack, ct))
            if (BlobId.TryParse(name, out var id)) sizes[id] = size;
        foreach (var blob in used)
        {
            if (!repo.Index.TryGet(blob, out _, out var pack) || !sizes.ContainsKey(pack))
                throw new VarlorException($"prune refuses to run: blob {blob.Short} needed by a snapshot is lost; run 'varlor-backup check'");
        }

        // Account used and unused bytes per pack (an entry counts once, at the location the index chose).
        var packs = repo.Index.Snapshot()
            .Where(p => sizes.ContainsKey(p.Pack))
            .Select(p => new PackUse(p.Pack, sizes[p.Pack], p.Blobs, p.Blobs.Where(b => used.Contains(b.Id)).ToList()))
            .ToList();
        var usedBytes = packs.Sum(p => p.UsedBytes);
        var unusedBytes = packs.Sum(p => p.Unused);
        var delete = packs.Where(p => p.Used.Count == 0).ToList();
        // Partly used: bytes no snapshot needs (unreferenced, duplicate or damaged blobs), most wasteful first.
        var partly = packs.Where(p => p.Used.Count > 0 && p.Unused > 0).OrderByDescending(p => (double)p.Unused / p.Size).ToList();
        var remainingUnused = partly.Sum(p => p.Unused);
        var repack = new List<PackUse>();
        foreach (var p in partly)
        {
            if (remainingUnused <= options.MaxUnused * usedBytes) break;
            repack.Add(p);
            remainingUnused -= p.Unused;
        }
        var report = new PruneReport
        {
            Snapshots = snapshots.Count, PacksBefore = sizes.Count, BytesBefore = sizes.Values.Sum(), UsedBytes = usedBytes, UnusedBytes = unusedBytes,
            PacksDeleted = delete.Count, PacksRepacked = repack.Count, DryRun = options.DryRun,
            BytesFreed = delete.Sum(p => p.Size) + repack.Sum(p => p.Unused), UnusedBytesAfter = remainingUnused,
            IndexFilesReplaced = oldIndexes.Count,
        };
        // Nothing to remove, one index, nothing adopted: leave the repository untouched.
        if (options.DryRun || (delete.Count == 0 && repack.Count == 0 && oldIndexes.Count <= 1 && adopted.Count == 0))
            return report;

        // (1) Copy the used blobs of the packs to repack.
        var written = new List<IndexPack>();
        if (repack.Count > 0)
        {
            await using var packer = new Packer(repo);
            foreach (var p in repack)
                foreach (var b in p.Used)
                    await packer.AddAsync(b.Id, b.Type, await repo.ReadBlobAsync(b.Id, b.Type, ct), ct);
            await packer.FlushAsync(ct);
            written = packer.WrittenPacks;
        }

        // (2) One new index for everything that stays.
        var gone = delete.Concat(repack).Select(p => p.Id).ToHashSet();
        var keep = packs.Where(p => !gone.Contains(p.Id)).Select(p => IndexPack.From(p.Id, p.Blobs)).ToList();
        keep.AddRange(written);
        var newIndex = await repo.SaveIndexAsync(new IndexDocument(keep), ct);

        // (3) Old index files, then (4) obsolete packs.
        foreach (var old in oldIndexes.Where(i => i != newIndex))
            await repo.Backend.DeleteAsync(FileKind.Index, old.ToString(), ct);
        foreach (var pack in gone)
            await repo.Backend.DeleteAsync(FileKind.Pack, pack.ToString(), ct);
        // Under the exclusive lock no other process writes: every temporary file is a leftover of a killed one.
        await repo.Backend.CleanupTempFilesAsync(TimeSpan.Zero, ct);
        return report with { PacksWritten = written.Count };
    }

    private sealed record PackUse(BlobId Id, long Size, List<PackEntry> Blobs, List<PackEntry> Used)
    {
        /// <summary>Sealed bytes of the used blobs plus what their header entries would take.</summary>
        public long UsedBytes { get; } = Used.Sum(b => (long)b.Length) + Used.Count * PackFormat.HeaderEntrySize + Crypto.Aead.Overhead + 4;
        public long Unused => Size - UsedBytes;
    }
}
