namespace Varlor.Backup.Storage;

/// <summary>The kinds of file a repository holds; each lives in its own folder of the backend.</summary>
public enum FileKind
{
    Config,
    Key,
    Pack,
    Index,
    Snapshot,
    Lock,
    /// <summary>PostgreSQL WAL files archived by 'wal push', named as PostgreSQL names them.</summary>
    Wal,
}

public static class FileKindNames
{
    /// <summary>Folder (or key prefix) of each kind, as documented in docs/repository-format.md.</summary>
    public static string Folder(this FileKind kind) => kind switch
    {
        FileKind.Config => "",
        FileKind.Key => "keys",
        FileKind.Pack => "data",
        FileKind.Index => "index",
        FileKind.Snapshot => "snapshots",
        FileKind.Lock => "locks",
        FileKind.Wal => "wal",
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };
}
