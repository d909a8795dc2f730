using System.Security.Cryptography;
using System.Text;

namespace Varlor.Backup.Postgres.Wal;

/// <summary>
/// A local folder beside the database server where `wal push` leaves acknowledgements of segments it archived ahead
/// of PostgreSQL's request (batching), and `wal fetch` leaves segments it read ahead. It is a cache: deleting it
/// loses nothing, the next call does the work again. One subfolder per repository location, so two repositories
/// never share acknowledgements. An acknowledgement holds the SHA-256 of the archived bytes and counts only while
/// the file still has exactly that content, and only for <see cref="AckLifetime"/>.
/// </summary>
public sealed class WalSpool
{
    public static readonly TimeSpan AckLifetime = TimeSpan.FromHours(1);

    private WalSpool(string folder) => Folder = folder;

    public string Folder { get; }
    private string AckFolder => Path.Combine(Folder, "ack");
    private string FetchFolder => Path.Combine(Folder, "fetch");

    /// <summary>The spool of a repository: <paramref name="root"/>, else $VARLOR_WAL_SPOOL, else ~/.cache/varlor-backup/wal.</summary>
    public static WalSpool For(string repositoryLocation, string? root)
    {
        root ??= Environment.GetEnvironmentVariable("VARLOR_WAL_SPOOL") is { Length: > 0 } e ? e
            : Path.Combine(Environment.GetEnvironmentVariable("XDG_CACHE_HOME") is { Length: > 0 } x ? x
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache"), "varlor-backup", "wal");
        var id = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(repositoryLocation)))[..16];
        return new WalSpool(Path.Combine(root, id));
    }

    /// <summary>True (and the acknowledgement consumed) when <paramref name="name"/> was archived with <paramref name="sha256"/>.</summary>
    public bool TryConsumeAck(string name, ReadOnlySpan<byte> sha256)
    {
        var path = Path.Combine(AckFolder, name);
        try
        {
            var info = new FileInfo(path);
            if (!info.Exists) return false;
            var fresh = DateTime.UtcNow - info.LastWriteTimeUtc < AckLifetime;
            var matches = fresh && File.ReadAllText(path).Trim() == Convert.ToHexStringLower(sha256);
            File.Delete(path);
            return matches;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }

    public bool HasAck(string name) => File.Exists(Path.Combine(AckFolder, name));

    public void WriteAck(string name, ReadOnlySpan<byte> sha256)
    {
        Directory.CreateDirectory(AckFolder);
        WriteAtomically(Path.Combine(AckFolder, name), Encoding.ASCII.GetBytes(Convert.ToHexStringLower(sha256)));
    }

    /// <summary>A read-ahead copy of <paramref name="name"/>, moved to <paramref name="destination"/>; false when there is none.</summary>
    public bool TryTakeFetched(string name, string destination)
    {
        var path = Path.Combine(FetchFolder, name);
        if (!File.Exists(path)) return false;
        try
        {
            File.Move(path, destination, overwrite: true);
            return true;
        }
        catch (IOException)
        {
            // another file system: copy, then drop the read-ahead copy
            File.Copy(path, destination, overwrite: true);
            File.Delete(path);
            return true;
        }
    }

    public bool HasFetched(string name) => File.Exists(Path.Combine(FetchFolder, name));

    public void PutFetched(string name, ReadOnlySpan<byte> content)
    {
        Directory.CreateDirectory(FetchFolder);
        WriteAtomically(Path.Combine(FetchFolder, name), content);
    }

    /// <summary>Drops read-ahead copies and acknowledgements older than <see cref="AckLifetime"/>.</summary>
    public void Expire()
    {
        foreach (var dir in new[] { AckFolder, FetchFolder })
        {
            if (!Directory.Exists(dir)) continue;
            foreach (var f in new DirectoryInfo(dir).EnumerateFiles())
                if (DateTime.UtcNow - f.LastWriteTimeUtc > AckLifetime)
                    try { f.Delete(); } catch (IOException) { }
        }
    }

    /// <summary>Writes a file via a temporary name and a rename, so a reader never sees half of it.</summary>
    public static void WriteAtomically(string path, ReadOnlySpan<byte> content)
    {
        var tmp = $"{path}.{Environment.ProcessId}.tmp";
        using (var fs = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            fs.Write(content);
            fs.Flush(flushToDisk: true);
        }
        File.Move(tmp, path, overwrite: true);
    }
}
