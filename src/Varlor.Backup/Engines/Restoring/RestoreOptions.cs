namespace Varlor.Backup.Engines.Restoring;

public sealed record RestoreOptions
{
    public required string Target { get; init; }
    /// <summary>
    /// Absolute paths as `ls` shows them in the snapshot; empty restores the snapshot's own paths (what was backed
    /// up), never the folders above them, which are only created when missing.
    /// </summary>
    public IReadOnlyList<string> Includes { get; init; } = [];
    /// <summary>Remove what the snapshot does not have under the included paths (or the snapshot's own paths).</summary>
    public bool Delete { get; init; }
    /// <summary>Decide and list every change without making any.</summary>
    public bool DryRun { get; init; }
    /// <summary>Files restored at once: twice the cores, so that writes and reads overlap with decryption.</summary>
    public int Workers { get; init; } = 2 * Environment.ProcessorCount;
}

public sealed record RestoreResult(long FilesRestored, long FilesUnchanged, long BytesWritten, long DirsRestored, long SymlinksRestored, IReadOnlyList<string> Errors)
{
    /// <summary>Files, symlinks and folders that did not exist (or would not, in a dry run).</summary>
    public long Created { get; init; }
    /// <summary>Files and symlinks rewritten, and entries of another type replaced.</summary>
    public long Replaced { get; init; }
    /// <summary>Entries removed by --delete; a folder counts once, with its content.</summary>
    public long Deleted { get; init; }
    /// <summary>Files and symlinks already as in the snapshot.</summary>
    public long Unchanged { get; init; }
    /// <summary>Each change with its path, in a dry run only (a real restore of millions of files keeps counts).</summary>
    public IReadOnlyList<RestoreChange> Changes { get; init; } = [];
}

public enum RestoreAction { Create, Replace, Delete }

public sealed record RestoreChange(RestoreAction Action, string Path);

public sealed record RestoreProgress(long FilesDone, long BytesDone, long FilesTotal, long BytesTotal, TimeSpan Elapsed);
