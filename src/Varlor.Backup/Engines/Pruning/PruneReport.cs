namespace Varlor.Backup.Engines.Pruning;

public sealed record PruneOptions
{
    /// <summary>Unused space tolerated in partly-used packs, as a fraction of the used space; repacking stops below it.</summary>
    public double MaxUnused { get; init; } = 0.05;
    public bool DryRun { get; init; }
    /// <summary>Snapshots to treat as already removed (forget --dry-run --prune shows what both would do).</summary>
    public IReadOnlySet<Repository.BlobId> Forgotten { get; init; } = new HashSet<Repository.BlobId>();
}

public sealed record PruneReport
{
    public int Snapshots { get; init; }
    public int PacksBefore { get; init; }
    public long BytesBefore { get; init; }
    public long UsedBytes { get; init; }
    public long UnusedBytes { get; init; }
    public int PacksDeleted { get; init; }
    public int PacksRepacked { get; init; }
    public int PacksWritten { get; init; }
    public long BytesFreed { get; init; }
    public long UnusedBytesAfter { get; init; }
    public int IndexFilesReplaced { get; init; }
    public bool DryRun { get; init; }
}
