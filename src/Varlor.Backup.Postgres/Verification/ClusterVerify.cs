using System.Globalization;
using System.Net;
using System.Net.Sockets;
using Npgsql;
using Varlor.Backup.Postgres.BaseBackups;
using Varlor.Backup.Postgres.Common;
using Varlor.Backup.Postgres.Recovery;
using Varlor.Backup.Repository;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Postgres.Verification;

public sealed record ClusterVerifyOptions
{
    public string? PgBin { get; init; }
    /// <summary>Where the scratch folder goes (default: $TMPDIR, or /tmp when root: the server's user must reach it).</summary>
    public string? TempFolder { get; init; }
    /// <summary>The user the scratch server runs as when this process is root (default: postgres, if it exists).</summary>
    public string? OsUser { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromMinutes(10);
}

/// <summary>
/// What a base backup's verification found: the per-database checks against the counts of the manifest, and
/// whether the manifest says the cluster was written to while the backup ran (then differences are expected
/// and only readability counts).
/// </summary>
public sealed record ClusterCheck(StoredBaseBackup Backup, List<RestoreCheck> Databases, List<string> NotCounted, List<string> Skipped,
    bool WrittenDuringBackup, TimeSpan Recovery)
{
    public IEnumerable<TableCheck> Tables => Databases.SelectMany(d => d.Tables);
    public bool CountsMatch => Databases.TrueForAll(d => d.Ok);
    public bool AllReadable => Tables.All(t => t.Error is null);
    /// <summary>
    /// Quiet backup: every count and checksum matches. Written to during the backup: the cluster recovered to a
    /// consistent state (else this record would not exist) and every table could be read. Always false when a
    /// database was not counted at backup time.
    /// </summary>
    public bool Ok => NotCounted.Count == 0 && (WrittenDuringBackup ? AllReadable : CountsMatch);
}

/// <summary>
/// verify-restore for a base backup: restores it into a scratch folder, starts it (it recovers to the end of the
/// backup from the WAL the backup holds) on a private Unix socket only, with a pg_hba of its own that trusts that
/// socket (the folder is mode 0700: only the server's user and root reach it), counts every recorded table of
/// every database and computes the recorded checksums, then stops the server (immediate) and deletes the folder,
/// also on failure, on Ctrl-C, and when the process ends first.
/// </summary>
public static class ClusterVerify
{
    public static async Task<ClusterCheck> RunAsync(Repo repo, StoredBaseBackup backup, PgSettings settings, ClusterVerifyOptions options,
        Action<string> progress, CancellationToken ct)
    {
        var m = backup.Manifest;
        if (m.Contents is null || m.StartSnapshot is null)
            throw new VarlorException($"base backup {backup.Snapshot.Id.Short} recorded no row counts (take base backups with 'db basebackup --count' to verify them): nothing to compare; " +
                "'db restore --target-dir' restores it for a manual check");
        var major = int.Parse(m.ServerVersion.Split('.')[0], CultureInfo.InvariantCulture);
        var tools = PgTools.Locate(options.PgBin, major);
        var root = OsAccount.IsRoot;
        var osUser = root ? await OsAccount.ServerUserAsync(options.OsUser, ct) : null;

        var parent = Path.GetFullPath(options.TempFolder ?? (root ? "/tmp" : Path.GetTempPath()));
        if (!Directory.Exists(parent)) throw new VarlorException($"--temp-dir {parent} does not exist");
        using var scratch = new Scratch(Path.Combine(parent, "varlor-verify-" + Guid.NewGuid().ToString("N")[..10]), tools, osUser);
        var data = Path.Combine(scratch.Folder, "data");
        var socket = Path.Combine(scratch.Folder, "socket");
        try
        {
            const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;
            Directory.CreateDirectory(scratch.Folder, Private);
            Directory.CreateDirectory(socket, Private);
            progress($"restoring into scratch folder {scratch.Folder}");
            await DataDirRestore.RunAsync(repo, backup.Snapshot, data, ct);
            var hba = Path.Combine(scratch.Folder, "pg_hba.conf");
            await File.WriteAllTextAsync(hba, "# varlor-backup verify-restore: only through the private socket (its folder is mode 0700)\nlocal all all trust\n", ct);
            // A cluster configured outside its data folder (Debian's /etc/postgresql) holds no postgresql.conf.
            var conf = Path.Combine(data, "postgresql.conf");
            if (!File.Exists(conf)) await File.WriteAllTextAsync(conf, "# varlor-backup verify-restore: the backup held no postgresql.conf\n", ct);
            if (osUser is not null) await OsAccount.ChownAsync(scratch.Folder, osUser, ct);

            var port = FreePort();
            progress($"starting it{(osUser is null ? "" : $" as {osUser}")}: recovery to the end of the backup");
            scratch.Started = true;
            RecoveryOutcome outcome;
            try
            {
                outcome = await RecoveredServer.StartAsync(data, port, osUser, tools, new Dictionary<string, string?>(), options.Timeout, ct, socket, hba);
            }
            catch (VarlorException e)
            {
                // The server's log goes with the scratch folder: keep a copy beside it for the post-mortem.
                var log = Path.Combine(data, "varlor-recovery.log");
                var kept = scratch.Folder + ".log";
                if (File.Exists(log)) File.Copy(log, kept, overwrite: true);
                throw new VarlorException("scratch cluster: " + e.Message.Replace($"(log: {log})", File.Exists(kept) ? $"(log kept as {kept})" : "", StringComparison.Ordinal)
                    .Replace("it is still running", "it was stopped", StringComparison.Ordinal).TrimEnd(), e.ExitCode, e);
            }
            // The role that counted at backup time exists in the copy and could read every table then.
            var local = settings with { Host = socket, Port = port, User = m.User ?? settings.User, Password = null, Passfile = null, SslMode = null };
            await using (var conn = await PgConnect.OpenAsync(local, ct, m.Contents.FirstOrDefault(c => c.Error is null)?.Database ?? "postgres"))
            await using (var cmd = new NpgsqlCommand("SELECT pg_is_in_recovery()", conn))
                if ((bool)(await cmd.ExecuteScalarAsync(ct))!)
                    throw new VarlorException("the scratch cluster is still in recovery after starting", DbExitCodes.VerificationFailed);

            var checks = new List<RestoreCheck>();
            var notCounted = new List<string>();
            foreach (var contents in m.Contents)
            {
                if (contents.Error is not null) notCounted.Add($"{contents.Database}: not counted at backup time ({contents.Error})");
                else checks.Add(await RestoreCheck.RunAsync(local, contents.Database, contents.Tables, ct, physical: true));
            }
            var skipped = m.Databases.Where(d => !m.Contents.Exists(c => c.Database == d)).Select(d => $"{d}: does not allow connections, not counted").ToList();
            return new ClusterCheck(backup, checks, notCounted, skipped, m.WrittenDuringBackup == true, outcome.Elapsed);
        }
        finally
        {
            await scratch.CleanUpAsync();
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>
    /// The scratch folder and the server started in it: stopped and deleted once, by whichever comes first of
    /// the caller's finally and the end of the process (Ctrl-C gives the command only a short grace period).
    /// </summary>
    private sealed class Scratch : IDisposable
    {
        private readonly PgTools _tools;
        private readonly string? _osUser;
        private readonly Lock _gate = new();
        private Task? _cleanup;

        public Scratch(string folder, PgTools tools, string? osUser)
        {
            Folder = folder;
            (_tools, _osUser) = (tools, osUser);
            AppDomain.CurrentDomain.ProcessExit += OnExit;
        }

        public string Folder { get; }
        public bool Started { get; set; }

        private void OnExit(object? sender, EventArgs e) => CleanUpAsync().GetAwaiter().GetResult();

        /// <summary>Runs the clean-up once; a second caller waits for the first one's.</summary>
        public Task CleanUpAsync()
        {
            lock (_gate) return _cleanup ??= Task.Run(CleanUpOnceAsync);
        }

        private async Task CleanUpOnceAsync()
        {
            try
            {
                if (Started) await RecoveredServer.StopAsync(Path.Combine(Folder, "data"), _osUser, _tools);
            }
            catch (VarlorException)
            {
                // not running (it never started, or stopped already)
            }
            try
            {
                if (Directory.Exists(Folder)) Directory.Delete(Folder, recursive: true);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                Console.Error.WriteLine($"warning: could not delete the scratch folder {Folder}: {e.Message}");
            }
        }

        public void Dispose() => AppDomain.CurrentDomain.ProcessExit -= OnExit;
    }
}
