namespace Varlor.Backup.Engines.Restoring;

public sealed record RestoreOptions
{
    public required string Target { get; init; }
    /// <summary>Paths as `ls` shows them in the snapshot; empty restores everything.</summary>
    public IReadOnlyList<string> Includes { get; init; } = [];
    /// <summary>Files restored at once: twice the cores, so that writes and reads overlap with decryption.</summary>
    public int Workers { get; init; } = 2 * Environment.ProcessorCount;
}

public sealed record RestoreResult(long FilesRestored, long FilesUnchanged, long BytesWritten, long DirsRestored, long SymlinksRestored, IReadOnlyList<string> Errors);

public sealed record RestoreProgress(long FilesDone, long BytesDone, long FilesTotal, long BytesTotal, TimeSpan Elapsed);
