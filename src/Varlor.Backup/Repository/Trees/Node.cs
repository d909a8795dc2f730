using System.Text.Json.Serialization;

namespace Varlor.Backup.Repository.Trees;

public enum NodeType
{
    File,
    Dir,
    Symlink,
}

/// <summary>
/// One entry of a directory. Times are nanoseconds since the Unix epoch; mode holds the permission bits
/// (including setuid, setgid and sticky); ctime, inode and device serve change detection only.
/// </summary>
public sealed record Node
{
    public required string Name { get; init; }
    public required NodeType Type { get; init; }
    public uint Mode { get; init; }
    public uint Uid { get; init; }
    public uint Gid { get; init; }
    public long MtimeNs { get; init; }
    public long CtimeNs { get; init; }
    public ulong Inode { get; init; }
    public ulong Device { get; init; }
    public long Size { get; init; }
    /// <summary>Data blobs of a file, in order.</summary>
    public List<BlobId>? Content { get; init; }
    /// <summary>Tree blob of a directory.</summary>
    public BlobId? Subtree { get; init; }
    public string? LinkTarget { get; init; }

    [JsonIgnore] public DateTimeOffset Mtime => DateTimeOffset.UnixEpoch.AddTicks(MtimeNs / 100);

    /// <summary>A name is one path component: never empty, ".", "..", or holding '/' or NUL. Restore relies on it.</summary>
    public static bool IsSafeName(string name) =>
        name.Length > 0 && name != "." && name != ".." && !name.Contains('/') && !name.Contains('\0');
}
