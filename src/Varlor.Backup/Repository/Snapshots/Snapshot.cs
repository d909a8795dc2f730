using System.Text.Json.Serialization;

namespace Varlor.Backup.Repository.Snapshots;

/// <summary>What a backup recorded: when, where from, which tree, and what it cost.</summary>
public sealed record Snapshot
{
    public int Version { get; init; } = 1;
    public required DateTimeOffset Time { get; init; }
    public required string Hostname { get; init; }
    public string? Username { get; init; }
    public required List<string> Paths { get; init; }
    public List<string> Tags { get; init; } = [];
    public List<string>? Excludes { get; init; }
    public BlobId? Parent { get; init; }
    public required BlobId Tree { get; init; }
    public BackupSummary? Summary { get; init; }
    public string? ProgramVersion { get; init; }
    /// <summary>Set on a snapshot made by 'copy': the id of the snapshot it was copied from, in the source repository.</summary>
    public BlobId? Original { get; init; }

    /// <summary>Set when loaded: the snapshot's file name (SHA-256 of the stored file).</summary>
    [JsonIgnore] public BlobId Id { get; init; }
}

public sealed record BackupSummary
{
    public DateTimeOffset BackupStart { get; init; }
    public DateTimeOffset BackupEnd { get; init; }
    public long FilesNew { get; init; }
    public long FilesChanged { get; init; }
    public long FilesUnmodified { get; init; }
    public long DirsNew { get; init; }
    public long DirsChanged { get; init; }
    public long DirsUnmodified { get; init; }
    public long FilesFailed { get; init; }
    public long BlobsAdded { get; init; }
    /// <summary>Bytes of new blobs before compression and encryption.</summary>
    public long DataAddedRaw { get; init; }
    /// <summary>Bytes actually added to the repository's packs.</summary>
    public long DataAdded { get; init; }
    public long TotalFilesProcessed { get; init; }
    public long TotalBytesProcessed { get; init; }
    /// <summary>Bytes read from disk (unchanged files are not read again).</summary>
    public long BytesRead { get; init; }
}
