using Varlor.Backup.Repository.Snapshots;

namespace Varlor.Backup.Engines.Copying;

/// <summary>Which snapshots of the source to copy: the named ones (ids, prefixes, 'latest') or all, then filtered.</summary>
public sealed record CopyOptions
{
    public IReadOnlyList<string> Snapshots { get; init; } = [];
    /// <summary>Which of them (or of all): tags, host, paths, time range; 'latest' is the latest that matches.</summary>
    public SnapshotFilter Filter { get; init; } = SnapshotFilter.None;
    /// <summary>Blobs read from the source at once (each a range read: many in flight hide a remote store's latency).</summary>
    public int Parallelism { get; init; } = 8;
}
