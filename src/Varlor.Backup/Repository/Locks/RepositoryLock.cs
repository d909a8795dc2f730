using System.Text.Json;
using Varlor.Backup.Storage;

namespace Varlor.Backup.Repository.Locks;

/// <summary>
/// Repository locks: backups and restores share; prune and key changes are exclusive. A lock is a sealed file in
/// locks/, refreshed every 5 minutes while held. After writing its own lock a process looks again, so two
/// processes racing for conflicting locks cannot both win.
/// </summary>
public sealed class RepositoryLock : IAsyncDisposable
{
    private static readonly TimeSpan RefreshEvery = TimeSpan.FromMinutes(5);
    private readonly Repository _repo;
    private readonly LockInfo _info;
    private readonly Timer _timer;
    private BlobId _file;

    private RepositoryLock(Repository repo, LockInfo info, BlobId file)
    {
        _repo = repo;
        _info = info;
        _file = file;
        _timer = new Timer(_ => _ = RefreshAsync(), null, RefreshEvery, RefreshEvery);
    }

    public static async Task<RepositoryLock> AcquireAsync(Repository repo, bool exclusive, string command, CancellationToken ct)
    {
        var info = new LockInfo(exclusive, Environment.MachineName, Environment.ProcessId, Environment.UserName, command, DateTimeOffset.UtcNow);
        ThrowIfConflict(await ListAsync(repo, ct), exclusive, null);
        var file = await repo.SaveSealedAsync(FileKind.Lock, JsonSerializer.SerializeToUtf8Bytes(info, RepoJson.Options), ct);
        try
        {
            ThrowIfConflict(await ListAsync(repo, ct, own: file), exclusive, file);
        }
        catch
        {
            await repo.Backend.DeleteAsync(FileKind.Lock, file.ToString(), CancellationToken.None);
            throw;
        }
        return new RepositoryLock(repo, info, file);
    }

    private static void ThrowIfConflict(List<(BlobId Id, LockInfo? Info)> locks, bool exclusive, BlobId? own)
    {
        var now = DateTimeOffset.UtcNow;
        foreach (var (id, other) in locks)
        {
            if (id == own) continue;
            if (other is null)
                throw new RepositoryLockedException($"repository is locked by an unreadable lock file {id.Short}; if no other process uses the repository, run 'varlor-backup unlock'");
            if (other.IsStale(now)) continue;
            if (exclusive || other.Exclusive)
                throw new RepositoryLockedException($"repository is locked: {other.Describe()}; if that process is gone, run 'varlor-backup unlock'");
        }
    }

    /// <summary>Every lock file and what it says; <paramref name="own"/>, the caller's lock, is listed but not read (one request less).</summary>
    public static async Task<List<(BlobId Id, LockInfo? Info)>> ListAsync(Repository repo, CancellationToken ct, BlobId? own = null)
    {
        var result = new List<(BlobId, LockInfo?)>();
        foreach (var id in await repo.ListIdsAsync(FileKind.Lock, ct))
        {
            if (id == own) continue;
            try
            {
                result.Add((id, JsonSerializer.Deserialize<LockInfo>(await repo.LoadSealedAsync(FileKind.Lock, id, ct), RepoJson.Options)));
            }
            catch (Exception e) when (e is CorruptDataException or JsonException or FileNotFoundException)
            {
                // A lock released while we list is gone, not damaged; only a file that stays unreadable counts.
                if (await repo.Backend.ExistsAsync(FileKind.Lock, id.ToString(), ct)) result.Add((id, null));
            }
        }
        return result;
    }

    /// <summary>Removes stale locks (or all with <paramref name="all"/>); returns how many.</summary>
    public static async Task<int> RemoveStaleAsync(Repository repo, bool all, CancellationToken ct)
    {
        var removed = 0;
        foreach (var (id, info) in await ListAsync(repo, ct))
        {
            if (!all && info is not null && !info.IsStale(DateTimeOffset.UtcNow)) continue;
            await repo.Backend.DeleteAsync(FileKind.Lock, id.ToString(), ct);
            removed++;
        }
        return removed;
    }

    private async Task RefreshAsync()
    {
        try
        {
            var old = _file;
            _file = await _repo.SaveSealedAsync(FileKind.Lock, JsonSerializer.SerializeToUtf8Bytes(_info with { Time = DateTimeOffset.UtcNow }, RepoJson.Options), CancellationToken.None);
            await _repo.Backend.DeleteAsync(FileKind.Lock, old.ToString(), CancellationToken.None);
        }
        catch (Exception)
        {
            // A missed refresh is retried in 5 minutes; the lock only goes stale after 30.
        }
    }

    private int _disposed;

    /// <summary>Releases the lock; a second call does nothing (a command may release early, before its scope ends).</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        await _timer.DisposeAsync();
        try { await _repo.Backend.DeleteAsync(FileKind.Lock, _file.ToString(), CancellationToken.None); }
        catch (IOException) { }
    }
}
