using Varlor.Backup.Engines.Wal;
using Varlor.Backup.Storage;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Postgres.Wal;

/// <summary>How one `wal fetch` call ended.</summary>
public sealed record WalFetchReport(string Name, bool Found, bool FromReadAhead, int ReadAhead);

/// <summary>
/// restore_command. PostgreSQL asks for one file at a time and expects a non-zero exit when the archive lacks it
/// (it probes for future timelines' history files, and the end of the archive ends recovery). A call that opens the
/// repository also reads the next segments of the same timeline ahead into the spool, so that the calls for them
/// only move a file (recovery does not pay a key derivation per segment).
/// </summary>
public sealed class WalFetcher(WalSpool spool, int readAhead, int parallelism)
{
    public async Task<WalFetchReport> FetchAsync(string name, string destination, IStorageBackend backend, Func<CancellationToken, Task<Repo>> open, CancellationToken ct)
    {
        var parsed = WalFileName.Parse(name);
        if (spool.TryTakeFetched(name, destination)) return new WalFetchReport(name, true, true, 0);
        // PostgreSQL probes for files that do not exist (next timelines' history, the segment after the end of the
        // archive): answer those from the listing, without a key derivation.
        // The repository itself must be there: a wrong --repo answering "not archived" would end recovery early.
        if (!await backend.ExistsAsync(FileKind.Config, "config", ct)) throw new Repository.RepositoryNotFoundException(backend.Location);
        if (!await backend.ExistsAsync(FileKind.Wal, name, ct)) return new WalFetchReport(name, false, false, 0);

        using var repo = await open(ct);
        var archive = new WalArchive(repo);
        byte[] content;
        try
        {
            content = (await archive.FetchAsync(name, ct)).Content;
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return new WalFetchReport(name, false, false, 0);
        }
        WalSpool.WriteAtomically(destination, content);
        var ahead = parsed.Kind == WalFileKind.Segment && readAhead > 0 ? await ReadAheadAsync(archive, parsed, content.Length, ct) : 0;
        spool.Expire();
        return new WalFetchReport(name, true, false, ahead);
    }

    private async Task<int> ReadAheadAsync(WalArchive archive, WalFileName first, long segmentSize, CancellationToken ct)
    {
        if (segmentSize <= 0 || (segmentSize & (segmentSize - 1)) != 0) return 0; // not a whole segment
        var number = first.SegmentNumber(segmentSize);
        var next = Enumerable.Range(1, readAhead)
            .Select(i => WalFileName.SegmentName(first.Timeline, number + (ulong)i, segmentSize))
            .Where(n => !spool.HasFetched(n)).ToList();
        var count = 0;
        await Parallel.ForEachAsync(next, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, async (n, token) =>
        {
            try
            {
                spool.PutFetched(n, (await archive.FetchAsync(n, token)).Content);
                Interlocked.Increment(ref count);
            }
            catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or Repository.VarlorException or IOException)
            {
                // not archived (yet), or damaged: PostgreSQL's own call for it reports what is wrong
            }
        });
        return count;
    }
}
