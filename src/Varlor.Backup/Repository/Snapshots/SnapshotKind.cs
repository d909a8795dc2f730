namespace Varlor.Backup.Repository.Snapshots;

/// <summary>What a snapshot holds: files and folders, a database dump ('db dump') or a cluster base backup ('db basebackup').</summary>
public enum SnapshotKind
{
    Files,
    Dump,
    BaseBackup,
}

public static class SnapshotKinds
{
    /// <summary>The tag 'db dump' always sets (Varlor.Backup.Postgres.DbDumper), and the folder its snapshots hold.</summary>
    public const string DumpTag = "db";
    public const string DumpRoot = "/postgresql/";
    /// <summary>The tag 'db basebackup' always sets (Varlor.Backup.Postgres.BaseBackup), and the folder its snapshots hold.</summary>
    public const string BaseBackupTag = "basebackup";
    public const string BaseBackupRoot = "/postgresql-cluster/";

    /// <summary>By tag, else by content path (a snapshot copied or re-tagged still holds its folder).</summary>
    public static SnapshotKind Of(Snapshot s)
    {
        if (s.Tags.Contains(BaseBackupTag) || s.Paths.Exists(p => p.StartsWith(BaseBackupRoot, StringComparison.Ordinal))) return SnapshotKind.BaseBackup;
        if (s.Tags.Contains(DumpTag) || s.Paths.Exists(p => p.StartsWith(DumpRoot, StringComparison.Ordinal))) return SnapshotKind.Dump;
        return SnapshotKind.Files;
    }

    /// <summary>"a database dump (tag db)", for messages.</summary>
    public static string Describe(SnapshotKind kind) => kind switch
    {
        SnapshotKind.Dump => "a database dump (tag db)",
        SnapshotKind.BaseBackup => "a base backup (tag basebackup)",
        _ => "a file backup",
    };

    public static string Singular(SnapshotKind kind) => kind switch
    {
        SnapshotKind.Dump => "database dump",
        SnapshotKind.BaseBackup => "base backup",
        _ => "file backup",
    };

    public static string Plural(SnapshotKind kind) => Singular(kind) + "s";
}
