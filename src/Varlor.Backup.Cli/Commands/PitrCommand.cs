using System.CommandLine;
using System.Globalization;
using Varlor.Backup.Cli.Terminal;
using Varlor.Backup.Postgres.Common;
using Varlor.Backup.Postgres.Recovery;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Locks;

namespace Varlor.Backup.Cli.Commands;

/// <summary>The point-in-time options of db restore, kept together (one target at most).</summary>
public sealed class PitrOptions
{
    public Option<string?> ToTime { get; } = new("--to-time") { Description = "Recover to this time, e.g. \"2026-11-23 10:30:00+00\" (the base backup is picked automatically)" };
    public Option<string?> ToLsn { get; } = new("--to-lsn") { Description = "Recover to this WAL position, e.g. 0/3000148" };
    public Option<string?> ToXid { get; } = new("--to-xid") { Description = "Recover up to the commit of this transaction id" };
    public Option<string?> ToName { get; } = new("--to-name") { Description = "Recover to this restore point (pg_create_restore_point)" };
    public Option<bool> Immediate { get; } = new("--immediate") { Description = "Recover only to the end of the base backup (its consistent point)" };
    public Option<bool> Latest { get; } = new("--latest") { Description = "Recover to the end of the archived WAL" };
    public Option<bool> Start { get; } = new("--start") { Description = "Start the recovered server and wait until it is consistent and promoted" };
    public Option<int> Port { get; } = new("--port") { Description = "Port for --start (listens on 127.0.0.1 only)", DefaultValueFactory = _ => 5433 };
    public Option<string?> OsUser { get; } = new("--os-user") { Description = "With --start as root: run the server as this user (the folder is given to it)" };
    public Option<int> WaitSeconds { get; } = new("--wait-timeout") { Description = "Seconds to wait for promotion with --start", DefaultValueFactory = _ => 600 };

    public void AddTo(Command cmd)
    {
        foreach (var o in new Option[] { ToTime, ToLsn, ToXid, ToName, Immediate, Latest, Start, Port, OsUser, WaitSeconds }) cmd.Options.Add(o);
    }

    /// <summary>The target asked for, or null when none (a plain base backup restore).</summary>
    public RecoveryTarget? Target(ParseResult p)
    {
        var targets = new List<RecoveryTarget>();
        if (p.GetValue(ToTime) is { } t) targets.Add(RecoveryTarget.AtTime(t));
        if (p.GetValue(ToLsn) is { } l) targets.Add(RecoveryTarget.AtLsn(l));
        if (p.GetValue(ToXid) is { } x) targets.Add(RecoveryTarget.AtXid(x));
        if (p.GetValue(ToName) is { } n) targets.Add(RecoveryTarget.AtName(n));
        if (p.GetValue(Immediate)) targets.Add(RecoveryTarget.Immediate);
        if (p.GetValue(Latest)) targets.Add(RecoveryTarget.Latest);
        if (targets.Count > 1) throw new VarlorException("give one recovery target: --to-time, --to-lsn, --to-xid, --to-name, --immediate or --latest");
        if (targets.Count == 0 && p.GetValue(Start)) return RecoveryTarget.Latest;
        return targets.FirstOrDefault();
    }
}

/// <summary>db restore --target-dir DIR --to-…: point-in-time recovery (see <see cref="PointInTimeRestore"/>).</summary>
public static class PitrCommand
{
    public static async Task<int> RunAsync(ParseResult p, Output output, PitrOptions o, RecoveryTarget target, string snapshot, string dir, string? pgBin, CancellationToken ct)
    {
        if (p.GetValue(o.Port) is < 1 or > 65535) throw new VarlorException("--port must be a port number");
        // As root the server runs as --os-user (default postgres): the folder is given to it and restore_command
        // reads the password from a copy that user can read (the one given may be readable by root only).
        var osUser = OsAccount.IsRoot ? await OsAccount.ServerUserAsync(p.GetValue(o.OsUser), ct) : p.GetValue(o.OsUser);
        using var repo = await GlobalOptions.OpenAsync(p, ct);
        // Locked from the plan on: a prune in between could remove the base backup or WAL the plan relies on.
        await using var held = await RepositoryLock.AcquireAsync(repo, exclusive: false, "db restore", ct);
        var plan = await PointInTimeRestore.PlanAsync(repo, target, snapshot == "latest" ? null : snapshot, ct);
        var m = plan.Backup.Manifest;
        output.Line($"base backup {plan.Backup.Snapshot.Id.Short}: cluster {m.SystemIdentifier}, PostgreSQL {m.ServerVersion}, timeline {m.Timeline}, consistent from {Format.Time(plan.Backup.Finished)} (LSN {m.EndLsn})");
        output.Line(plan.LastSegment is null
            ? "archived WAL: none after this base backup"
            : $"archived WAL: unbroken to {plan.LastSegment} (pushed {Format.Time(plan.LastPushed!.Value)})");
        if (plan.Note is not null) output.Line("note: " + plan.Note);
        var passwordCopy = OsAccount.IsRoot ? Path.GetFullPath(dir).TrimEnd('/') + ".varlor-password" : null;
        await PointInTimeRestore.WriteAsync(repo, plan, dir, RestoreCommand(p, passwordCopy), ct);
        await held.DisposeAsync(); // the server started below reads WAL through restore_command, without our lock
        if (OsAccount.IsRoot)
        {
            await WritePasswordCopyAsync(passwordCopy!, GlobalOptions.Password(p), osUser!, ct);
            await OsAccount.ChownAsync(dir, osUser!, ct);
        }
        output.Line($"restored into {dir}: recovery.signal written, recovery to {target}, archiving off");
        if (!p.GetValue(o.Start))
        {
            Output.Result(OsAccount.IsRoot
                ? $"{dir} belongs to {osUser}; restore_command reads the password from {passwordCopy} (owner {osUser}, mode 0400: delete it once the server is promoted). " +
                  $"Start it as {osUser}: runuser -u {osUser} -- {PgTools.Locate(pgBin, int.Parse(m.ServerVersion.Split('.')[0], CultureInfo.InvariantCulture)).Path_("pg_ctl")} -D {Path.GetFullPath(dir)} -o '-p PORT' start"
                : $"start it as the cluster's owner, with VARLOR_PASSWORD (or a password file) in its environment for restore_command: pg_ctl -D {dir} -o '-p PORT' start");
            return 0;
        }
        var tools = PgTools.Locate(pgBin, int.Parse(m.ServerVersion.Split('.')[0], CultureInfo.InvariantCulture));
        // The password itself, not how we found it: a file or command of ours may not be reachable by the server's user.
        var env = new Dictionary<string, string?>
        {
            ["VARLOR_PASSWORD"] = GlobalOptions.Password(p), ["VARLOR_PASSWORD_FILE"] = null, ["VARLOR_PASSWORD_COMMAND"] = null,
        };
        var outcome = await RecoveredServer.StartAsync(Path.GetFullPath(dir), p.GetValue(o.Port), osUser, tools, env,
            TimeSpan.FromSeconds(p.GetValue(o.WaitSeconds)), ct);
        if (output.Json)
        {
            output.WriteJson(new
            {
                base_backup = plan.Backup.Snapshot.Id.ToString(), target = target.ToString(), port = p.GetValue(o.Port), data_dir = dir,
                stopped_at = outcome.StoppedAt, last_transaction = outcome.LastTransaction, seconds = Math.Round(outcome.Elapsed.TotalSeconds, 2),
            });
            return 0;
        }
        if (outcome.StoppedAt is not null) output.Line($"recovery stopped {outcome.StoppedAt}");
        if (outcome.LastTransaction is not null) output.Line($"last transaction recovered: {outcome.LastTransaction}");
        Output.Result($"recovered and promoted in {outcome.Elapsed.TotalSeconds:0.0}s: the server runs on 127.0.0.1:{p.GetValue(o.Port)} (stop it with pg_ctl -D {dir} stop)");
        return 0;
    }

    /// <summary>This program as restore_command, with the repository (and password file) spelled out; never the password.</summary>
    private static string RestoreCommand(ParseResult p, string? passwordFile)
    {
        var words = new List<string>();
        var process = Environment.ProcessPath ?? "varlor-backup";
        words.Add(process);
        if (Path.GetFileNameWithoutExtension(process) == "dotnet") words.Add(typeof(PitrCommand).Assembly.Location);
        var location = p.GetValue(GlobalOptions.Repo) ?? Environment.GetEnvironmentVariable("VARLOR_REPOSITORY")!;
        words.AddRange(["--repo", S3Or(location)]);
        if ((passwordFile ?? p.GetValue(GlobalOptions.PasswordFile)) is { } file) words.AddRange(["--password-file", Path.GetFullPath(file)]);
        words.AddRange(["wal", "fetch"]);
        // PostgreSQL replaces %f, %p and %r in restore_command: a literal % (in a path) must be written %%.
        return string.Join(' ', words.Select(w => PgConf.ShellWord(w).Replace("%", "%%", StringComparison.Ordinal))) + " %f %p";
    }

    /// <summary>The repository password in a 0400 file of the server's user, beside the data folder (not in it: base backups of the copy must not carry it); written atomically.</summary>
    private static async Task WritePasswordCopyAsync(string path, string password, string osUser, CancellationToken ct)
    {
        var temp = path + ".tmp";
        File.Delete(temp);
        await using (var stream = new FileStream(temp, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
        await using (var writer = new StreamWriter(stream))
            await writer.WriteAsync(password.AsMemory(), ct);
        File.SetUnixFileMode(temp, UnixFileMode.UserRead);
        await OsAccount.ChownAsync(temp, osUser, ct);
        File.Move(temp, path, overwrite: true);
    }

    private static string S3Or(string location) => location.StartsWith("s3:", StringComparison.Ordinal) ? location : Path.GetFullPath(location);
}
