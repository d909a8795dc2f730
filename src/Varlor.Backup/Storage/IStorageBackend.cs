namespace Varlor.Backup.Storage;

/// <summary>
/// The small interface every storage backend implements (local disk, S3, and decorators such as retry or
/// fault injection). Backends know nothing of encryption or formats: they store named, immutable files.
/// </summary>
public interface IStorageBackend
{
    /// <summary>Human-readable location, for messages.</summary>
    string Location { get; }

    /// <summary>Whether a repository config exists here.</summary>
    Task<bool> ExistsAsync(FileKind kind, string name, CancellationToken ct);

    /// <summary>Stores a file atomically: after success it is durable and complete, after failure it is absent.
    /// Never overwrites silently: an existing file with the same name is replaced only by identical content.</summary>
    Task SaveAsync(FileKind kind, string name, ReadOnlyMemory<byte> content, CancellationToken ct);

    /// <summary>
    /// A local folder where large files (packs) are assembled before <see cref="SaveFileAsync"/>: on the same file
    /// system as a local repository, so that storing is a rename. Names starting with '.' are never listed.
    /// </summary>
    string SpoolFolder { get; }

    /// <summary>Stores a complete, fsynced local file from <see cref="SpoolFolder"/>, atomically like
    /// <see cref="SaveAsync"/>; the local file is consumed (moved or deleted).</summary>
    Task SaveFileAsync(FileKind kind, string name, string localPath, CancellationToken ct);

    /// <summary>
    /// How many packs a writer stores at once (<see cref="SaveFileAsync"/> calls in flight). One where storing is
    /// local I/O; more where each store mostly waits on the network, so that uploads overlap filling the next packs.
    /// Decorators pass their inner backend's value on.
    /// </summary>
    int PackUploads => 1;

    /// <summary>Removes leftovers of interrupted writes older than <paramref name="minAge"/>; returns how many.</summary>
    Task<int> CleanupTempFilesAsync(TimeSpan minAge, CancellationToken ct);

    /// <summary>Reads a whole file. Throws <see cref="FileNotFoundException"/> when absent.</summary>
    Task<byte[]> ReadAsync(FileKind kind, string name, CancellationToken ct);

    /// <summary>Reads <paramref name="length"/> bytes at <paramref name="offset"/>; fewer bytes means the file is truncated.</summary>
    Task<int> ReadRangeAsync(FileKind kind, string name, long offset, Memory<byte> buffer, CancellationToken ct);

    /// <summary>Size of a file in bytes, or -1 when absent.</summary>
    Task<long> SizeAsync(FileKind kind, string name, CancellationToken ct);

    /// <summary>Lists the names of the files of one kind with their sizes.</summary>
    IAsyncEnumerable<(string Name, long Size)> ListAsync(FileKind kind, CancellationToken ct);

    Task DeleteAsync(FileKind kind, string name, CancellationToken ct);

    /// <summary>Prepares an empty repository location (folders); fails if a repository already exists.</summary>
    Task CreateAsync(CancellationToken ct);
}
