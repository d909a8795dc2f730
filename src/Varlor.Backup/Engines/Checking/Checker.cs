using System.Security.Cryptography;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Packs;
using Varlor.Backup.Repository.Trees;
using Varlor.Backup.Storage;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Engines.Checking;

/// <summary>
/// Checks a repository: that every index file, snapshot and tree reads and authenticates; that every blob a
/// snapshot needs is indexed in a pack that exists and is long enough; and, with read-data, that every byte of
/// the chosen packs authenticates and hashes to its name and ids. Damage is traced to the snapshots and files
/// that depend on it.
/// </summary>
public sealed class Checker(Repo repo)
{
    private readonly System.Diagnostics.Stopwatch _clock = System.Diagnostics.Stopwatch.StartNew();
    private long _packsTotal, _packsDone, _bytesTotal, _bytesDone;

    /// <summary>Packs and bytes read so far by --read-data, of those selected (read from another thread for progress).</summary>
    public CheckProgress Progress => new(Interlocked.Read(ref _packsDone), Interlocked.Read(ref _packsTotal),
        Interlocked.Read(ref _bytesDone), Interlocked.Read(ref _bytesTotal), _clock.Elapsed);

    public async Task<CheckReport> RunAsync(CheckOptions options, CancellationToken ct)
    {
        var report = new CheckReport();
        report.Errors.AddRange(await repo.LoadIndexAsync(ct));

        var sizes = new Dictionary<BlobId, long>();
        await foreach (var (name, size) in repo.Backend.ListAsync(FileKind.Pack, ct))
            if (BlobId.TryParse(name, out var id)) sizes[id] = size;
        report.Packs = sizes.Count;

        var indexed = repo.Index.Snapshot();
        foreach (var (pack, blobs) in indexed)
        {
            if (!sizes.TryGetValue(pack, out var size))
            {
                report.Errors.Add($"pack {pack} is missing ({blobs.Count} blobs)");
                Damage(report, pack, blobs);
                continue;
            }
            var end = blobs.Count == 0 ? 0 : blobs.Max(b => (long)b.Offset + b.Length);
            if (end > size)
            {
                report.Errors.Add($"pack {pack} is truncated ({size} bytes, index needs {end})");
                Damage(report, pack, blobs.Where(b => b.Offset + (long)b.Length > size));
            }
        }
        var indexedPacks = indexed.Select(p => p.Pack).ToHashSet();
        foreach (var pack in sizes.Keys.Where(p => !indexedPacks.Contains(p)))
            report.Warnings.Add($"pack {pack} is not in any index (left by an interrupted backup; the next backup reuses it)");

        if (options.ReadData)
        {
            var selected = indexed.Where(p => sizes.ContainsKey(p.Pack) && IsSelected(p.Pack, options)).ToList();
            Interlocked.Exchange(ref _packsTotal, selected.Count);
            Interlocked.Exchange(ref _bytesTotal, selected.Sum(p => sizes[p.Pack]));
            foreach (var (pack, blobs) in selected)
            {
                await ReadPackAsync(report, pack, sizes[pack], blobs, ct);
                Interlocked.Increment(ref _packsDone);
                Interlocked.Add(ref _bytesDone, sizes[pack]);
            }
        }

        var problems = new List<string>();
        var snapshots = await repo.LoadSnapshotsAsync(ct, problems);
        report.Errors.AddRange(problems);
        report.Snapshots = snapshots.Count;
        var memo = new Dictionary<BlobId, List<(string, BlobId)>>();
        foreach (var snapshot in snapshots)
            foreach (var (path, blob) in await CheckTreeAsync(report, snapshot.Tree, memo, ct))
                report.AffectedFiles.Add(new AffectedFile(snapshot.Id.ToString(), path.Length == 0 ? "/" : path, blob.ToString()));
        report.Trees = memo.Count;
        await CheckWalAsync(report, options, ct);
        return report;
    }

    /// <summary>Archived WAL files: names PostgreSQL would give, and with --read-data each one authenticated and hashed.</summary>
    private async Task CheckWalAsync(CheckReport report, CheckOptions options, CancellationToken ct)
    {
        var archive = new Wal.WalArchive(repo);
        await foreach (var (name, _) in repo.Backend.ListAsync(FileKind.Wal, ct))
        {
            report.WalFiles++;
            if (!Wal.WalFileName.TryParse(name, out _))
            {
                report.Warnings.Add($"wal/{name} is not a WAL file name (ignored)");
                continue;
            }
            if (!options.ReadData) continue;
            try
            {
                var (content, _) = await archive.FetchAsync(name, ct);
                report.BytesRead += content.Length;
            }
            catch (CorruptDataException e)
            {
                report.Errors.Add(e.Message);
            }
        }
    }

    private static bool IsSelected(BlobId pack, CheckOptions options)
    {
        var firstByte = (int)(pack.A >> 56);
        if (options.Slice is var (k, n)) return firstByte % n == k - 1;
        if (options.Fraction is { } f) return Random.Shared.NextDouble() < f;
        return true;
    }

    private async Task ReadPackAsync(CheckReport report, BlobId pack, long size, List<PackEntry> blobs, CancellationToken ct)
    {
        // One pooled buffer per pack and pooled blob buffers: reading every byte must not cost a pack of garbage each.
        var pool = System.Buffers.ArrayPool<byte>.Shared;
        var buffer = pool.Rent((int)Math.Max(size, 1));
        try
        {
            int length;
            try
            {
                length = await repo.Backend.ReadRangeAsync(FileKind.Pack, pack.ToString(), 0, buffer.AsMemory(0, (int)size), ct);
            }
            catch (FileNotFoundException)
            {
                return; // reported above
            }
            var bytes = buffer.AsSpan(0, length);
            report.PacksRead++;
            report.BytesRead += length;
            if (length != size || BlobId.FromBytes(SHA256.HashData(bytes)) != pack)
            {
                report.Errors.Add($"pack {pack}: content does not match its name (damaged)");
                report.DamagedPacks.Add(pack.ToString());
            }
            foreach (var b in blobs)
            {
                try
                {
                    if (b.Offset + (long)b.Length > length) throw new CorruptDataException($"blob {b.Id.Short} lies beyond the end of pack {pack.Short}");
                    var (plain, _) = repo.OpenBlobPooled(buffer.AsSpan((int)b.Offset, (int)b.Length), b.Id, b.Type, b.Compressed, b.RawLength, pack);
                    pool.Return(plain);
                }
                catch (CorruptDataException e)
                {
                    report.Errors.Add(e.Message);
                    Damage(report, pack, [b]);
                }
            }
        }
        finally
        {
            pool.Return(buffer);
        }
    }

    private static void Damage(CheckReport report, BlobId pack, IEnumerable<PackEntry> blobs)
    {
        report.DamagedPacks.Add(pack.ToString());
        foreach (var b in blobs) report.DamagedBlobs.Add(b.Id.ToString());
    }

    /// <summary>Damaged or lost items under a tree, by path relative to it; memoized, since snapshots share most trees.</summary>
    private async Task<List<(string Path, BlobId Blob)>> CheckTreeAsync(CheckReport report, BlobId treeId, Dictionary<BlobId, List<(string, BlobId)>> memo, CancellationToken ct)
    {
        if (memo.TryGetValue(treeId, out var known)) return known;
        var affected = new List<(string, BlobId)>();
        memo[treeId] = affected;
        Tree tree;
        try
        {
            if (report.DamagedBlobs.Contains(treeId.ToString())) throw new CorruptDataException($"tree {treeId.Short} is damaged");
            tree = await repo.LoadTreeAsync(treeId, ct);
        }
        catch (CorruptDataException e)
        {
            report.Errors.Add(e.Message);
            affected.Add(("", treeId));
            return affected;
        }
        foreach (var node in tree.Nodes)
        {
            var p = "/" + node.Name;
            if (node.Type == NodeType.Dir)
            {
                foreach (var (sub, blob) in await CheckTreeAsync(report, node.Subtree!.Value, memo, ct)) affected.Add((p + sub, blob));
                continue;
            }
            foreach (var blob in node.Content ?? [])
            {
                var missing = !repo.Index.Contains(blob);
                if (!missing && !report.DamagedBlobs.Contains(blob.ToString())) continue;
                if (missing && report.DamagedBlobs.Add(blob.ToString())) report.Errors.Add($"data blob {blob.Short} is not in the index (lost)");
                affected.Add((p, blob));
            }
        }
        return affected;
    }
}
