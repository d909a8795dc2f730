namespace Varlor.Backup.Engines.Copying;

/// <summary>Which snapshots of the source to copy: the named ones (ids, prefixes, 'latest') or all, then filtered.</summary>
public sealed record CopyOptions
{
    public IReadOnlyList<string> Snapshots { get; init; } = [];
    /// <summary>Only snapshots carrying every one of these tags.</summary>
    public IReadOnlyList<string> Tags { get; init; } = [];
    public string? Host { get; init; }
    /// <summary>Only snapshots that backed up every one of these paths.</summary>
    public IReadOnlyList<string> Paths { get; init; } = [];
    /// <summary>Only snapshots taken at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }
    /// <summary>Only snapshots taken before this time.</summary>
    public DateTimeOffset? Until { get; init; }
    /// <summary>Blobs read from the source at once (each a range read: many in flight hide a remote store's latency).</summary>
    public int Parallelism { get; init; } = 8;
}
