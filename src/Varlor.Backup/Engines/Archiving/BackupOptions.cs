using Varlor.Backup.Repository;

namespace Varlor.Backup.Engines.Archiving;

public sealed record BackupOptions
{
    public required IReadOnlyList<string> Paths { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyList<string> Excludes { get; init; } = [];
    /// <summary>The snapshot's time (default: now); for importing history and for tests.</summary>
    public DateTimeOffset? Time { get; init; }
    public string? Host { get; init; }
    /// <summary>Parent to compare with; default: the latest snapshot of the same host and paths.</summary>
    public BlobId? Parent { get; init; }
    /// <summary>Read every file even when the parent says it is unchanged.</summary>
    public bool Force { get; init; }
    public int Workers { get; init; } = Environment.ProcessorCount;
    /// <summary>Count files and bytes ahead of the walk for progress totals and ETA (costs a second stat per entry).</summary>
    public bool EstimateTotals { get; init; } = true;
}
