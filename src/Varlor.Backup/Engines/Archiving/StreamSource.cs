namespace Varlor.Backup.Engines.Archiving;

/// <summary>
/// A file of a stream backup: its absolute path inside the snapshot ("/postgresql/varlor/dump.pgdump") and how to
/// open its content. Sources are opened one after the other, in order, so a later one (a manifest) can describe
/// what an earlier one produced. A stream that fails or throws fails the whole backup: no snapshot is saved.
/// </summary>
public sealed record StreamSource(string Path, Func<CancellationToken, Task<Stream>> Open)
{
    /// <summary>
    /// When positive, the first HeadChunk bytes are stored as a chunk of their own and content-defined chunking
    /// starts after them: a header that changes every run (a dump's timestamp) then costs one small chunk, not the
    /// first full-size chunk of the data behind it.
    /// </summary>
    public int HeadChunk { get; init; }

    /// <summary>
    /// When positive, the average chunk size for this stream instead of the repository's (a power of two, at most
    /// the repository's average): minimum a quarter, maximum four times it, same keyed gear table. A database dump,
    /// whose daily changes are a few rows here and there, deduplicates better in smaller chunks; blobs are
    /// content-addressed, so readers need nothing to know about it.
    /// </summary>
    public int ChunkAverage { get; init; }
}

public sealed record StreamBackupOptions
{
    public IReadOnlyList<string> Tags { get; init; } = [];
    public DateTimeOffset? Time { get; init; }
    public string? Host { get; init; }
    public int Workers { get; init; } = Environment.ProcessorCount;
    /// <summary>zstd level for this run instead of the repository's: a whole-cluster base backup trades a few
    /// percent of size for half the compression CPU (level 1), where a backup window matters more.</summary>
    public int? CompressionLevel { get; init; }
}
