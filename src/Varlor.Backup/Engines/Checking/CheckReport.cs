using Varlor.Backup.Repository;

namespace Varlor.Backup.Engines.Checking;

public sealed record CheckOptions
{
    public bool ReadData { get; init; }
    /// <summary>Read only packs in this slice: (K, N) reads packs whose first id byte mod N is K-1.</summary>
    public (int K, int N)? Slice { get; init; }
    /// <summary>Read only about this fraction of packs, chosen at random.</summary>
    public double? Fraction { get; init; }
}

/// <summary>What a check found: each problem in words, and exactly which packs, blobs, snapshots and files it touches.</summary>
public sealed record CheckReport
{
    public List<string> Errors { get; } = [];
    public List<string> Warnings { get; } = [];
    public SortedSet<string> DamagedPacks { get; } = new(StringComparer.Ordinal);
    public SortedSet<string> DamagedBlobs { get; } = new(StringComparer.Ordinal);
    public List<AffectedFile> AffectedFiles { get; } = [];
    public int Snapshots { get; set; }
    public int Trees { get; set; }
    public int Packs { get; set; }
    public int PacksRead { get; set; }
    public int WalFiles { get; set; }
    public long BytesRead { get; set; }
    public bool Ok => Errors.Count == 0;
}

public sealed record AffectedFile(string Snapshot, string Path, string Blob);

/// <summary>Progress of check --read-data: packs and bytes read of those selected.</summary>
public readonly record struct CheckProgress(long PacksDone, long PacksTotal, long BytesDone, long BytesTotal, TimeSpan Elapsed);
