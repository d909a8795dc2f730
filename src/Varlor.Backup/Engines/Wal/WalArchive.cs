using System.Security.Cryptography;
using Varlor.Backup.Repository;
using Varlor.Backup.Storage;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Engines.Wal;

/// <summary>What a push did.</summary>
public enum WalPushOutcome
{
    /// <summary>Stored now, durably.</summary>
    Stored,
    /// <summary>Already in the archive with identical content: success, nothing written.</summary>
    AlreadyArchived,
}

/// <summary>The archive already holds a different file under this name: never overwritten.</summary>
public sealed class WalConflictException(string name)
    : VarlorException($"wal {name} is already archived with different content: refusing to overwrite it (another cluster or timeline archiving into the same repository?)", WalExitCodes.Conflict);

public static class WalExitCodes
{
    /// <summary>A different file with the same name is already archived.</summary>
    public const int Conflict = 24;
    /// <summary>wal fetch: the archive has no such file (PostgreSQL expects non-zero; not an error in itself).</summary>
    public const int NotFound = 25;
}

/// <summary>
/// The WAL archive of a repository: push and fetch with PostgreSQL's archive_command/restore_command semantics
/// (success only once durably stored; identical re-push succeeds; different content never overwrites).
/// Nothing here touches packs or the index, so a push or fetch needs only the key.
/// </summary>
public sealed class WalArchive(Repo repo)
{
    public async Task<WalPushOutcome> PushAsync(string name, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        WalFileName.Parse(name);
        if (await ExistsAsync(name, ct)) return await CompareExistingAsync(name, content, ct);
        var (sealedBytes, _) = WalObject.Seal(repo.Aead, name, content.Span, DateTimeOffset.UtcNow);
        // A second pusher of the same name could slip in between the check and the save (PostgreSQL runs one
        // archiver, so only a misconfiguration does that): re-check after storing would not help on stores that
        // replace, so the check above is the guard and the design relies on a single archiver per cluster.
        await repo.Backend.SaveAsync(FileKind.Wal, name, sealedBytes, ct);
        return WalPushOutcome.Stored;
    }

    private async Task<WalPushOutcome> CompareExistingAsync(string name, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        WalObject info;
        try
        {
            info = (await FetchAsync(name, ct)).Info;
        }
        catch (CorruptDataException)
        {
            // A damaged copy is not "identical": refuse rather than overwrite silently; repair by deleting it.
            throw new VarlorException($"wal {name} is already archived but the stored copy is damaged: check the repository (varlor-backup check) before archiving again", WalExitCodes.Conflict);
        }
        return info.Length == content.Length && SHA256.HashData(content.Span).AsSpan().SequenceEqual(info.Sha256)
            ? WalPushOutcome.AlreadyArchived
            : throw new WalConflictException(name);
    }

    public Task<bool> ExistsAsync(string name, CancellationToken ct) => repo.Backend.ExistsAsync(FileKind.Wal, name, ct);

    /// <summary>Reads and verifies one archived file; throws <see cref="FileNotFoundException"/> when absent.</summary>
    public async Task<(byte[] Content, WalObject Info)> FetchAsync(string name, CancellationToken ct)
    {
        WalFileName.Parse(name);
        var sealedBytes = await repo.Backend.ReadAsync(FileKind.Wal, name, ct);
        return WalObject.Open(repo.Aead, name, sealedBytes);
    }

    /// <summary>Every archived file with a valid name, in WAL order, with its stored size.</summary>
    public async Task<List<(WalFileName Name, long StoredSize)>> ListAsync(CancellationToken ct)
    {
        var result = new List<(WalFileName, long)>();
        await foreach (var (name, size) in repo.Backend.ListAsync(FileKind.Wal, ct))
            if (WalFileName.TryParse(name, out var parsed)) result.Add((parsed, size));
        result.Sort((a, b) => string.CompareOrdinal(a.Item1.Name, b.Item1.Name));
        return result;
    }

    public Task DeleteAsync(string name, CancellationToken ct)
    {
        WalFileName.Parse(name);
        return repo.Backend.DeleteAsync(FileKind.Wal, name, ct);
    }
}
