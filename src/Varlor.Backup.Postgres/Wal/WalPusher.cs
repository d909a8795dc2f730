using System.Security.Cryptography;
using Varlor.Backup.Engines.Wal;
using Varlor.Backup.Repository;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Postgres.Wal;

/// <summary>How one `wal push` call ended: the requested file, and what it archived ahead of PostgreSQL.</summary>
public sealed record WalPushReport(string Name, WalPushOutcome Outcome, bool FromAck, List<string> Ahead, List<string> AheadFailed);

/// <summary>
/// archive_command. PostgreSQL calls it once per finished WAL file and, on success, deletes or recycles the file, so
/// success is returned only once the file is durably in the repository. To keep up with a busy server without paying
/// a process start, a key derivation and a repository open per 16 MiB segment, a call that has to open the repository
/// also archives the other files PostgreSQL has marked ready (pg_wal/archive_status/*.ready, oldest first, up to
/// Batch) and leaves an acknowledgement for each in the spool; the calls PostgreSQL then makes for those files only
/// hash the file and compare it with the acknowledgement (the same check as an identical re-push, done locally).
/// </summary>
public sealed class WalPusher(WalSpool spool, int batch, int parallelism)
{
    public async Task<WalPushReport> PushAsync(string path, Func<CancellationToken, Task<Repo>> open, CancellationToken ct)
    {
        var name = Path.GetFileName(path);
        WalFileName.Parse(name);
        var content = await ReadAsync(path, ct);
        if (spool.TryConsumeAck(name, SHA256.HashData(content)))
            return new WalPushReport(name, WalPushOutcome.AlreadyArchived, FromAck: true, [], []);

        using var repo = await open(ct);
        var archive = new WalArchive(repo);
        var outcome = await archive.PushAsync(name, content, ct);
        var (ahead, failed) = await PushReadyAsync(archive, path, name, ct);
        spool.Expire();
        return new WalPushReport(name, outcome, FromAck: false, ahead, failed);
    }

    /// <summary>Archives other files PostgreSQL marked ready; a failure here is not the caller's failure (PostgreSQL will ask again).</summary>
    private async Task<(List<string> Done, List<string> Failed)> PushReadyAsync(WalArchive archive, string path, string name, CancellationToken ct)
    {
        var walFolder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        var status = Path.Combine(walFolder, "archive_status");
        var done = new List<string>();
        var failed = new List<string>();
        if (batch <= 1 || !Directory.Exists(status)) return (done, failed);
        var ready = Directory.EnumerateFiles(status, "*.ready")
            .Select(f => Path.GetFileNameWithoutExtension(f))
            .Where(n => n != name && WalFileName.TryParse(n, out _) && !spool.HasAck(n))
            .Order(StringComparer.Ordinal).Take(batch - 1).ToList();
        await Parallel.ForEachAsync(ready, new ParallelOptions { MaxDegreeOfParallelism = parallelism, CancellationToken = ct }, async (other, token) =>
        {
            try
            {
                var bytes = await ReadAsync(Path.Combine(walFolder, other), token);
                await archive.PushAsync(other, bytes, token);
                spool.WriteAck(other, SHA256.HashData(bytes));
                lock (done) done.Add(other);
            }
            catch (Exception e) when (e is VarlorException or IOException or UnauthorizedAccessException)
            {
                // Gone meanwhile (archived and recycled), unreadable, or a conflict: PostgreSQL's own call will report it.
                lock (failed) failed.Add(other);
            }
        });
        done.Sort(StringComparer.Ordinal);
        return (done, failed);
    }

    private static async Task<byte[]> ReadAsync(string path, CancellationToken ct)
    {
        try
        {
            return await File.ReadAllBytesAsync(path, ct);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new VarlorException($"WAL file {path} does not exist (archive_command must pass %p, the path relative to the data directory)");
        }
    }
}
