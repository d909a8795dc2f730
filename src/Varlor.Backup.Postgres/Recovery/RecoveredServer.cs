using System.Diagnostics;
using System.Globalization;
using Varlor.Backup.Postgres.Common;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Postgres.Recovery;

/// <summary>How a started recovery ended: where PostgreSQL stopped replaying, and how long it took to be promoted.</summary>
public sealed record RecoveryOutcome(string? StoppedAt, string? LastTransaction, TimeSpan Elapsed, string LogFile);

/// <summary>
/// Starts a restored data folder with pg_ctl (on a given port, loopback only, archiving off, its log beside the
/// data) and follows its log until recovery has reached the target and the server is promoted ("ready to accept
/// connections", not the read-only kind), or fails with PostgreSQL's own FATAL line. Runs the server as
/// <c>osUser</c> through runuser when this process is root, as PostgreSQL refuses to run as root.
/// </summary>
public static class RecoveredServer
{
    /// <param name="privateSocket">
    /// When given, the server listens on no TCP address at all, only on a Unix socket in this folder (which should
    /// be mode 0700), and <paramref name="hbaFile"/> replaces the restored pg_hba.conf.
    /// </param>
    public static async Task<RecoveryOutcome> StartAsync(string dataDir, int port, string? osUser, PgTools tools,
        IReadOnlyDictionary<string, string?> environment, TimeSpan timeout, CancellationToken ct, string? privateSocket = null, string? hbaFile = null)
    {
        var clock = Stopwatch.StartNew();
        var log = Path.Combine(dataDir, "varlor-recovery.log");
        var listen = privateSocket is null
            ? "-c listen_addresses=127.0.0.1 -c unix_socket_directories=''"
            : $"-c listen_addresses='' -c unix_socket_directories={PgConf.ShellWord(privateSocket)}";
        if (hbaFile is not null) listen += $" -c hba_file={PgConf.ShellWord(hbaFile)}";
        var (file, args) = await AsServerUserAsync(tools, osUser, dataDir, ["-D", dataDir, "-l", log, "-w", "-t", ((int)timeout.TotalSeconds).ToString(CultureInfo.InvariantCulture),
            "-o", $"-p {port} {listen} -c logging_collector=off -c archive_mode=off", "start"], ct);
        await using (var start = ChildProcess.Start(file, args, environment))
        {
            try
            {
                await start.WaitAsync(ct);
            }
            catch (VarlorException)
            {
                throw new VarlorException($"the restored server did not start: {FatalLine(log) ?? start.LastError()} (log: {log})", DbExitCodes.ToolFailed);
            }
        }
        // pg_ctl -w returns once connections are accepted: read-only while recovery goes on (hot standby), or after
        // promotion. Follow the log to the promotion.
        while (true)
        {
            ct.ThrowIfCancellationRequested();
            var text = File.Exists(log) ? await File.ReadAllTextAsync(log, ct) : "";
            if (FatalLine(text, isText: true) is { } fatal)
                throw new VarlorException($"recovery failed: {fatal} (log: {log})", PointInTimeRestore.TargetUnreachable);
            if (text.Contains("database system is ready to accept connections", StringComparison.Ordinal))
                return new RecoveryOutcome(LineAfter(text, "recovery stopping "), LineAfter(text, "last completed transaction was at log time "), clock.Elapsed, log);
            if (clock.Elapsed > timeout)
                throw new VarlorException($"the restored server was not promoted within {timeout.TotalSeconds:0}s; it is still running (log: {log})", DbExitCodes.ToolFailed);
            await Task.Delay(200, ct);
        }
    }

    /// <summary>Stops a server started from <paramref name="dataDir"/> at once (pg_ctl stop -m immediate), if one runs there.</summary>
    public static async Task StopAsync(string dataDir, string? osUser, PgTools tools)
    {
        if (!File.Exists(Path.Combine(dataDir, "postmaster.pid"))) return;
        var (file, args) = await AsServerUserAsync(tools, osUser, null, ["-D", dataDir, "-m", "immediate", "-w", "-t", "60", "stop"], CancellationToken.None);
        await ChildProcess.RunAsync(file, args, new Dictionary<string, string?>(), CancellationToken.None);
    }

    /// <summary>pg_ctl with these arguments, through runuser as <paramref name="osUser"/> when this process is root (the folder given to that user first).</summary>
    private static async Task<(string File, List<string> Args)> AsServerUserAsync(PgTools tools, string? osUser, string? chownDir, List<string> args, CancellationToken ct)
    {
        var pgCtl = tools.Path_("pg_ctl");
        if (Environment.UserName != "root") return (pgCtl, args);
        if (osUser is null) throw new VarlorException("PostgreSQL does not run as root: add --os-user USER (the data folder is given to that user)");
        if (chownDir is not null) await OsAccount.ChownAsync(chownDir, osUser, ct);
        return ("runuser", ["-u", osUser, "--", pgCtl, .. args]);
    }

    private static string? FatalLine(string logOrText, bool isText = false)
    {
        var text = isText ? logOrText : File.Exists(logOrText) ? File.ReadAllText(logOrText) : "";
        // Clients knocking while recovery runs get "not yet accepting connections" FATALs: those are not the server's.
        var line = text.Split('\n').FirstOrDefault(l => (l.Contains("FATAL:", StringComparison.Ordinal) || l.Contains("PANIC:", StringComparison.Ordinal))
            && !l.Contains("accepting connections", StringComparison.Ordinal) && !l.Contains("is starting up", StringComparison.Ordinal)
            && !l.Contains("shutting down", StringComparison.Ordinal));
        return line is null ? null : line[(line.IndexOf(':', line.IndexOf("FATAL", StringComparison.Ordinal) is var i and >= 0 ? i : line.IndexOf("PANIC", StringComparison.Ordinal)) + 1)..].Trim();
    }

    private static string? LineAfter(string text, string marker)
    {
        var line = text.Split('\n').LastOrDefault(l => l.Contains(marker, StringComparison.Ordinal));
        return line?[(line.IndexOf(marker, StringComparison.Ordinal) + marker.Length)..].Trim();
    }
}
