using Varlor.Backup.Engines.Restoring;
using Varlor.Backup.Postgres.Common;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Snapshots;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Postgres.BaseBackups;

/// <summary>
/// Restores a base backup into an empty (or new) folder: base.tar is piped from the repository into tar, the
/// folder gets mode 0700, and archiving is switched off in postgresql.auto.conf so that the copy, once started,
/// can never push its WAL into the production archive. Start it with pg_ctl as the cluster's owner.
/// </summary>
public static class DataDirRestore
{
    public static async Task<BaseBackupManifest> RunAsync(Repo repo, Snapshot snapshot, string targetDir, CancellationToken ct)
    {
        var folder = snapshot.Paths.Find(p => p.StartsWith(BaseBackup.Root + "/", StringComparison.Ordinal))
            ?? throw new VarlorException($"snapshot {snapshot.Id.Short} is not a base backup (made by 'db basebackup')");
        var tar = await SnapshotFile.FindAsync(repo, snapshot, $"{folder}/{BaseBackup.TarFile}", ct);
        var manifestNode = await SnapshotFile.FindAsync(repo, snapshot, $"{folder}/{BaseBackup.ManifestFile}", ct);
        if (tar is null || manifestNode is null) throw new VarlorException($"snapshot {snapshot.Id.Short} lacks {BaseBackup.TarFile} or {BaseBackup.ManifestFile}");
        var manifest = BaseBackupManifest.FromJson(await SnapshotFile.ReadAllAsync(repo, manifestNode, ct));

        var target = Path.GetFullPath(targetDir);
        if (Directory.Exists(target) && Directory.EnumerateFileSystemEntries(target).Any())
            throw new VarlorException($"--target-dir {targetDir} is not empty: restore a cluster only into an empty or new folder");
        Directory.CreateDirectory(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        File.SetUnixFileMode(target, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        await using (var child = ChildProcess.Start("tar", ["-x", "-f", "-", "-C", target], new Dictionary<string, string?>(), redirectInput: true))
        {
            try
            {
                await SnapshotFile.CopyToAsync(repo, tar, child.StandardInput, ct);
                child.StandardInput.Close();
            }
            catch (IOException)
            {
                // tar stopped reading: its exit status says why
            }
            await child.WaitAsync(ct);
        }
        await File.AppendAllTextAsync(Path.Combine(target, "postgresql.auto.conf"),
            "\n# varlor-backup db restore: a restored copy must never archive into the production archive\narchive_mode = 'off'\narchive_command = ''\n", ct);
        await AddMissingConfigurationAsync(target, ct);
        return manifest;
    }

    /// <summary>
    /// Debian (and others) keep postgresql.conf and pg_hba.conf in /etc, outside the data folder, so a base
    /// backup of such a cluster holds neither, and PostgreSQL refuses to start without them. The copy gets an
    /// empty postgresql.conf (defaults; postgresql.auto.conf still applies) and a pg_hba.conf that admits local
    /// socket users as themselves and loopback clients by password, nothing else. Never pointed at the
    /// production files: their data_directory would name the live cluster.
    /// </summary>
    private static async Task AddMissingConfigurationAsync(string target, CancellationToken ct)
    {
        var conf = Path.Combine(target, "postgresql.conf");
        if (!File.Exists(conf))
            await File.WriteAllTextAsync(conf, "# written by varlor-backup db restore: the backed-up cluster kept its configuration outside its data folder\n", ct);
        var hba = Path.Combine(target, "pg_hba.conf");
        if (!File.Exists(hba))
            await File.WriteAllTextAsync(hba, "# written by varlor-backup db restore: the backed-up cluster kept pg_hba.conf outside its data folder\n" +
                "local all all peer\nhost all all 127.0.0.1/32 scram-sha-256\nhost all all ::1/128 scram-sha-256\n", ct);
    }
}
