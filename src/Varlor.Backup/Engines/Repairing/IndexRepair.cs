using System.Security.Cryptography;
using Varlor.Backup.Engines.Archiving;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Index;
using Varlor.Backup.Repository.Packs;
using Varlor.Backup.Storage;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Engines.Repairing;

public sealed record IndexRepairReport(int Packs, int Blobs, int UnreadablePacks, int DamagedBlobs, int IndexFilesReplaced);

/// <summary>
/// Rebuilds the index from the packs themselves (their headers; with read-data, every blob verified, damaged ones
/// left out so that a later backup stores them again). The new index is written before the old ones go.
/// </summary>
public sealed class IndexRepair(Repo repo, IEngineReporter? reporter = null)
{
    public async Task<IndexRepairReport> RunAsync(bool readData, CancellationToken ct)
    {
        var oldIndexes = await repo.ListIdsAsync(FileKind.Index, ct);
        var packs = new List<IndexPack>();
        int unreadable = 0, damaged = 0, blobs = 0;
        await foreach (var (name, size) in repo.Backend.ListAsync(FileKind.Pack, ct))
        {
            if (!BlobId.TryParse(name, out var pack)) continue;
            try
            {
                var entries = await repo.ReadPackHeaderAsync(pack, size, ct);
                if (readData)
                {
                    var bytes = await repo.Backend.ReadAsync(FileKind.Pack, name, ct);
                    var good = new List<PackEntry>();
                    foreach (var e in entries)
                    {
                        try
                        {
                            repo.OpenBlob(bytes.AsSpan((int)e.Offset, (int)e.Length), e.Id, e.Type, e.Compressed, e.RawLength, pack);
                            good.Add(e);
                        }
                        catch (CorruptDataException ex)
                        {
                            damaged++;
                            reporter?.Warning(name, ex.Message);
                        }
                    }
                    if (BlobId.FromBytes(SHA256.HashData(bytes)) != pack)
                        reporter?.Warning(name, "pack content does not match its name; keeping only the blobs that verify");
                    entries = good;
                }
                blobs += entries.Count;
                packs.Add(IndexPack.From(pack, entries));
            }
            catch (CorruptDataException e)
            {
                unreadable++;
                reporter?.Warning(name, $"unreadable pack left out of the index: {e.Message}");
            }
        }
        var newIndex = await repo.SaveIndexAsync(new IndexDocument(packs), ct);
        foreach (var old in oldIndexes.Where(i => i != newIndex))
            await repo.Backend.DeleteAsync(FileKind.Index, old.ToString(), ct);
        return new IndexRepairReport(packs.Count, blobs, unreadable, damaged, oldIndexes.Count);
    }
}
