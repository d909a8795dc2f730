using System.CommandLine;
using Varlor.Backup.Cli.Terminal;
using Varlor.Backup.Postgres.BaseBackups;
using Varlor.Backup.Postgres.Common;
using Varlor.Backup.Postgres.Dumps;
using Varlor.Backup.Postgres.Verification;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Locks;
using Varlor.Backup.Repository.Snapshots;

namespace Varlor.Backup.Cli.Commands;

/// <summary>db dump / restore / verify-restore: PostgreSQL logical backups through the repository (see Varlor.Backup.Postgres).</summary>
public static class DbCommand
{
    private static readonly Option<string?> Db = new("--db")
    {
        Description = "Connection string (Host=...;Port=...;Username=...;Database=...); default: PGHOST, PGPORT, PGUSER, PGPASSWORD/PGPASSFILE, PGDATABASE",
        Recursive = true,
    };

    private static readonly Option<string?> PgBin = new("--pg-bin")
    {
        Description = "Folder of pg_dump and pg_restore (default: $VARLOR_PG_BIN, else /usr/lib/postgresql/<server major>/bin)",
        Recursive = true,
    };

    public static Command Create()
    {
        var cmd = new Command("db", "PostgreSQL: dump into the repository, restore, verify a restore") { Db, PgBin };
        cmd.Subcommands.Add(Dump());
        cmd.Subcommands.Add(Restore());
        cmd.Subcommands.Add(VerifyRestore());
        cmd.Subcommands.Add(BaseBackupCommand());
        return cmd;
    }

    private static PgSettings Settings(ParseResult p) => PgSettings.Resolve(p.GetValue(Db));

    private static Command Dump()
    {
        var tags = new Option<string[]>("--tag") { Description = "Extra tag (repeatable); 'db' and 'db:<name>' are always set" };
        var cmd = new Command("dump", "Stream pg_dump (custom format, uncompressed) into a new snapshot, with row counts taken in the same snapshot") { tags };
        cmd.SetAction(async (p, ct) =>
        {
            var output = GlobalOptions.Output(p);
            var settings = Settings(p);
            using var repo = await GlobalOptions.OpenAsync(p, ct);
            await using var _ = await RepositoryLock.AcquireAsync(repo, exclusive: false, "db dump", ct);
            var dumper = new DbDumper(repo, settings);
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var result = await ProgressDisplay.RunAsync(output, "db dump", () => new ProgressSample(0, 0, dumper.BytesDone, 0, clock.Elapsed),
                dumper.RunAsync(new DumpOptions { PgBin = p.GetValue(PgBin), Tags = p.GetValue(tags) ?? [] }, ct), unit: null);
            var m = result.Manifest;
            var sum = result.Backup.Snapshot.Summary!;
            if (output.Json)
            {
                output.WriteJson(new { snapshot = result.Backup.SnapshotId.ToString(), short_id = result.Backup.SnapshotId.Short, manifest = m, data_added = sum.DataAdded });
                return 0;
            }
            output.Line($"database {m.Database}: PostgreSQL {m.ServerVersion}, pg_dump {m.PgDumpVersion}, {Format.Count(m.Tables.Count, "table")}, {Format.Count(m.Tables.Sum(t => t.Rows), "row")}");
            output.Line($"dump: {Format.Bytes(m.DumpBytes)} in {m.DurationSeconds:0.00}s (database {Format.Bytes(m.DatabaseBytes)}); added to the repository: {Format.Bytes(sum.DataAdded)}");
            output.Line($"snapshot {result.Backup.SnapshotId.Short} saved");
            return 0;
        });
        return cmd;
    }

    private static Command Restore()
    {
        var snapshot = new Argument<string>("SNAPSHOT") { Description = "Snapshot id, unique prefix, or 'latest' (latest dump; with --to-* the base backup is picked unless given)", DefaultValueFactory = _ => "latest" };
        var target = new Option<string?>("--target-db") { Description = "Restore into this new database" };
        var inPlace = new Option<bool>("--in-place") { Description = "Replace the database of --db/PGDATABASE (restored aside, checked, then swapped by rename)" };
        var force = new Option<bool>("--force") { Description = "Do not ask for confirmation (required without a terminal)" };
        var tables = new Option<string[]>("--table") { Description = "Restore only this table with its keys, defaults, sequences, indexes and foreign keys (repeatable)" };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Parallel pg_restore jobs (>1 writes the dump to a temporary file first)", DefaultValueFactory = _ => 1 };
        var maintenance = new Option<string?>("--maintenance-url") { Description = "varlor-server base URL: maintenance mode during an in-place restore (admin key from VARLOR_ADMIN_KEY)" };
        var temp = new Option<string?>("--temp-dir") { Description = "Folder for the temporary dump copy of --jobs (default: $TMPDIR)" };
        var targetDir = new Option<string?>("--target-dir") { Description = "Restore a base backup (db basebackup) into this empty folder" };
        var pitr = new PitrOptions();
        var cmd = new Command("restore", "Restore a dump into a new database, or in place; row counts are compared with those recorded; or a base backup into a folder, to a point in time")
            { snapshot, target, inPlace, force, tables, jobs, maintenance, temp, targetDir };
        pitr.AddTo(cmd);
        var filter = new SnapshotFilterOptions();
        filter.AddTo(cmd);
        cmd.SetAction(async (p, ct) =>
        {
            var output = GlobalOptions.Output(p);
            var settings = Settings(p);
            var (targetDb, replace, names) = (p.GetValue(target), p.GetValue(inPlace), p.GetValue(tables) ?? []);
            var recoveryTarget = pitr.Target(p);
            if (p.GetValue(targetDir) is { } dir)
            {
                if (targetDb is not null || replace || names.Length > 0) throw new VarlorException("--target-dir restores a base backup: do not combine it with --target-db, --in-place or --table");
                if (recoveryTarget is not null && !filter.Get(p).IsEmpty)
                    throw new VarlorException("--tag, --host and --path do not apply to point-in-time recovery (it picks the base backup the target needs): give the base backup's id");
                return recoveryTarget is not null
                    ? await PitrCommand.RunAsync(p, output, pitr, recoveryTarget, p.GetValue(snapshot)!, dir, p.GetValue(PgBin), ct)
                    : await RestoreClusterAsync(p, output, p.GetValue(snapshot)!, filter.Get(p), dir, ct);
            }
            if (recoveryTarget is not null) throw new VarlorException("--to-time, --to-lsn, --to-xid, --to-name, --immediate and --latest recover a base backup: give --target-dir");
            if ((targetDb is null) == !replace) throw new VarlorException("give either --target-db NAME (a new database) or --in-place");
            if (p.GetValue(jobs) < 1) throw new VarlorException("--jobs must be at least 1");
            using var repo = await GlobalOptions.OpenAsync(p, ct);
            await using var _ = await RepositoryLock.AcquireAsync(repo, exclusive: false, "db restore", ct);
            var chosen = await SnapshotSelector.FindAsync(repo, p.GetValue(snapshot)!, filter.Get(p) with { Kind = SnapshotKind.Dump }, ct);
            var dump = await StoredDump.LoadAsync(repo, chosen.Id.ToString(), ct);
            var restorer = new DbRestorer(repo, settings, dump);
            var request = new RestoreRequest
            {
                TargetDatabase = targetDb ?? settings.Database, Tables = names, IntoExisting = replace && names.Length > 0,
                Jobs = p.GetValue(jobs), PgBin = p.GetValue(PgBin), TempFolder = p.GetValue(temp),
            };
            output.Line($"snapshot {dump.Snapshot.Id.Short}: {dump.Manifest.Database} dumped {Format.Time(dump.Manifest.Started)} (PostgreSQL {dump.Manifest.ServerVersion})");
            if (replace)
            {
                if (names.Length > 0)
                {
                    var tools = await restorer.ToolsAsync(request.PgBin, ct);
                    var plan = await restorer.PlanTablesAsync(tools, restorer.ResolveTables(names), inPlace: true, ct);
                    output.Line($"plan: in {settings.Database}, drop and recreate from the dump, in one transaction:");
                    foreach (var entry in plan.Selected) output.Line("  " + entry);
                }
                Confirm(p.GetValue(force), settings.Database, names.Length > 0 ? $"tables {string.Join(", ", names)} of" : "database");
            }
            await using var maint = p.GetValue(maintenance) is { } url && replace ? await Maintenance.EnterAsync(url, "varlor-backup db restore", ct) : null;
            RestoreCheck check;
            if (names.Length > 0)
            {
                check = (await WithProgress(output, repo, dump, restorer.RestoreTablesAsync(request, ct))).Check;
            }
            else if (!replace)
            {
                check = await WithProgress(output, repo, dump, restorer.RestoreWholeAsync(request, ct));
            }
            else
            {
                var aside = DatabaseSwap.Truncate($"{settings.Database}_restoring_{DateTime.UtcNow:yyyyMMddHHmmss}");
                var live = await DatabaseSwap.ReadPropertiesAsync(settings, settings.Database, ct);
                check = await WithProgress(output, repo, dump, restorer.RestoreWholeAsync(request with { TargetDatabase = aside, Owner = live.Owner }, ct));
                if (!check.Ok)
                {
                    await restorer.DropDatabaseAsync(aside, CancellationToken.None);
                    return Report(output, check, $"{settings.Database} was left untouched (the restored copy did not match and was dropped)");
                }
                await DatabaseSwap.ApplyPropertiesAsync(settings, live, aside, ct);
                var old = await DatabaseSwap.SwapAsync(settings, settings.Database, aside, ct);
                output.Line($"swapped: {settings.Database} is the restored database; the previous one is kept as {old} (drop it when satisfied)");
            }
            return Report(output, check, null);
        });
        return cmd;
    }

    /// <summary>Bytes of the dump streamed to pg_restore (the repository counts what it reads; a restore reads the dump once).</summary>
    private static Task<T> WithProgress<T>(Output output, Repository.Repository repo, StoredDump dump, Task<T> work)
    {
        var (clock, start, total) = (System.Diagnostics.Stopwatch.StartNew(), repo.DataBytesRead, dump.Dump.Size);
        return ProgressDisplay.RunAsync(output, "db restore", () => new ProgressSample(0, 0, Math.Min(total, repo.DataBytesRead - start), total, clock.Elapsed), work, unit: null);
    }

    private static Command VerifyRestore()
    {
        var snapshot = new Argument<string>("SNAPSHOT") { Description = "Snapshot id, prefix, or 'latest' (the latest dump; with --basebackup the latest base backup)", DefaultValueFactory = _ => "latest" };
        var jobs = new Option<int>("--jobs", "-j") { Description = "Parallel pg_restore jobs (dumps)", DefaultValueFactory = _ => 1 };
        var basebackup = new Option<bool>("--basebackup") { Description = "With 'latest': verify the latest base backup instead of the latest dump" };
        var temp = new Option<string?>("--temp-dir") { Description = "Base backups: folder for the scratch cluster (default: $TMPDIR; /tmp when root)" };
        var osUser = new Option<string?>("--os-user") { Description = "Base backups, as root: run the scratch server as this user (default: postgres)" };
        var wait = new Option<int>("--wait-timeout") { Description = "Base backups: seconds to wait for the scratch server to recover", DefaultValueFactory = _ => 600 };
        var cmd = new Command("verify-restore",
            "Restore a dump into a scratch database, or a base backup into a scratch cluster; compare row counts and checksums with those recorded; clean up")
            { snapshot, jobs, basebackup, temp, osUser, wait };
        cmd.SetAction(async (p, ct) =>
        {
            var output = GlobalOptions.Output(p);
            var settings = Settings(p);
            using var repo = await GlobalOptions.OpenAsync(p, ct);
            await using var _ = await RepositoryLock.AcquireAsync(repo, exclusive: false, "db verify-restore", ct);
            var reference = p.GetValue(snapshot)!;
            await repo.LoadIndexAsync(ct);
            var physical = reference == "latest"
                ? (p.GetValue(basebackup) ? await LatestBaseBackupAsync(repo, ct) : null)
                : await repo.FindSnapshotAsync(reference, ct) is var found && found.Paths.Exists(x => x.StartsWith(BaseBackup.Root + "/", StringComparison.Ordinal)) ? found : null;
            if (physical is not null)
            {
                if (p.GetValue(wait) < 1) throw new VarlorException("--wait-timeout must be at least 1 second");
                var backup = await StoredBaseBackup.LoadAsync(repo, physical, ct);
                var bm = backup.Manifest;
                output.Line($"snapshot {physical.Id.Short}: base backup of cluster {bm.SystemIdentifier} (PostgreSQL {bm.ServerVersion}, {Format.Time(bm.Started)}), databases {string.Join(", ", bm.Databases)}");
                var result = await ClusterVerify.RunAsync(repo, backup, settings, new ClusterVerifyOptions
                {
                    PgBin = p.GetValue(PgBin), TempFolder = p.GetValue(temp), OsUser = p.GetValue(osUser), Timeout = TimeSpan.FromSeconds(p.GetValue(wait)),
                }, output.Line, ct);
                return ReportCluster(output, result);
            }
            if (p.GetValue(basebackup)) throw new VarlorException("--basebackup picks the latest base backup: give 'latest' or no snapshot");
            var dump = await StoredDump.LoadAsync(repo, reference, ct);
            var restorer = new DbRestorer(repo, settings, dump);
            var scratch = $"varlor_verify_{Guid.NewGuid():N}"[..30];
            output.Line($"snapshot {dump.Snapshot.Id.Short}: restoring {dump.Manifest.Database} into scratch database {scratch}");
            RestoreCheck check;
            try
            {
                check = await restorer.RestoreWholeAsync(new RestoreRequest { TargetDatabase = scratch, Jobs = p.GetValue(jobs), PgBin = p.GetValue(PgBin) }, ct);
            }
            finally
            {
                await restorer.DropDatabaseAsync(scratch, CancellationToken.None);
            }
            return Report(output, check, null, verify: true);
        });
        return cmd;
    }

    /// <summary>The newest base backup, by the same rule as every 'latest' (damaged snapshots are passed over).</summary>
    private static async Task<Repository.Snapshots.Snapshot> LatestBaseBackupAsync(Repository.Repository repo, CancellationToken ct) =>
        SnapshotSelector.Latest(await repo.LoadSnapshotsAsync(ct, problems: []), SnapshotFilter.None with { Kind = SnapshotKind.BaseBackup });

    private static Command BaseBackupCommand()
    {
        var tags = new Option<string[]>("--tag") { Description = "Extra tag (repeatable); 'basebackup' is always set" };
        var count = new Option<bool>("--count") { Description = "Also record every table's exact row count after the backup, for 'db verify-restore' (scans every table)" };
        var cmd = new Command("basebackup", "Stream pg_basebackup (tar, with the WAL it needs) of the whole cluster into a new snapshot") { tags, count };
        cmd.SetAction(async (p, ct) =>
        {
            var output = GlobalOptions.Output(p);
            using var repo = await GlobalOptions.OpenAsync(p, ct);
            await using var _ = await RepositoryLock.AcquireAsync(repo, exclusive: false, "db basebackup", ct);
            var (result, m) = await new BaseBackup(repo, Settings(p)).RunAsync(p.GetValue(PgBin), p.GetValue(tags) ?? [], ct, p.GetValue(count));
            if (output.Json)
            {
                output.WriteJson(new { snapshot = result.SnapshotId.ToString(), short_id = result.SnapshotId.Short, manifest = m, data_added = result.Snapshot.Summary!.DataAdded });
                return 0;
            }
            output.Line($"cluster {m.SystemIdentifier}: PostgreSQL {m.ServerVersion}, timeline {m.Timeline}, WAL {m.StartLsn} to {m.EndLsn}, databases {string.Join(", ", m.Databases)}");
            output.Line($"base backup: {Format.Bytes(m.TarBytes)} in {m.DurationSeconds:0.00}s; added to the repository: {Format.Bytes(result.Snapshot.Summary!.DataAdded)}");
            if (m.ArchiveMode is "off" || m.ArchivesWithVarlor == false)
                output.Warning("WAL archiving", $"archive_mode is {m.ArchiveMode} and archive_command {(m.ArchivesWithVarlor == true ? "is" : "is not")} 'varlor-backup wal push': this backup recovers only to its own end (see the operator's guide, Continuous archiving)");
            else if (m.ArchiveTimeoutSeconds is 0 or > 300)
                output.Warning("WAL archiving", $"archive_timeout is {m.ArchiveTimeoutSeconds}s: on a quiet server the newest changes may stay unarchived that long (60 s is usual)");
            var counted = (m.Contents ?? []).Where(c => c.Error is null).ToList();
            if (m.Contents is not null)
                output.Line($"recorded for verify-restore: {Format.Count(counted.Sum(c => c.Tables.Count), "table")}, {Format.Count(counted.Sum(c => c.Tables.Sum(t => t.Rows)), "row")} in {Format.Count(counted.Count, "database")}" +
                    (m.WrittenDuringBackup == true ? " (the cluster was written to while the backup ran: the counts are those right after it)" : ""));
            foreach (var c in (m.Contents ?? []).Where(c => c.Error is not null))
                output.Warning($"database {c.Database}", $"not counted, verify-restore will fail on it: {c.Error}");
            output.Line($"snapshot {result.SnapshotId.Short} saved");
            return 0;
        });
        return cmd;
    }

    private static async Task<int> RestoreClusterAsync(ParseResult p, Output output, string reference, SnapshotFilter filter, string dir, CancellationToken ct)
    {
        using var repo = await GlobalOptions.OpenAsync(p, ct);
        await using var _ = await RepositoryLock.AcquireAsync(repo, exclusive: false, "db restore", ct);
        await repo.LoadIndexAsync(ct);
        var snap = await SnapshotSelector.FindAsync(repo, reference, filter with { Kind = SnapshotKind.BaseBackup }, ct);
        var m = await DataDirRestore.RunAsync(repo, snap, dir, ct);
        output.Line($"restored base backup {snap.Id.Short} of cluster {m.SystemIdentifier} (PostgreSQL {m.ServerVersion}, {Format.Time(m.Started)}) into {dir}; archiving is off in its postgresql.auto.conf");
        Output.Result($"start it as the cluster's owner (chown -R postgres {dir} first when restored as root): pg_ctl -D {dir} -o '-p PORT' start");
        return 0;
    }

    private static void Confirm(bool force, string database, string what)
    {
        if (force) return;
        if (Console.IsInputRedirected || Console.IsErrorRedirected)
            throw new VarlorException($"restoring in place replaces {what} {database}: add --force (no terminal to confirm on)");
        Console.Error.Write($"this replaces {what} {database}; type its name to go on: ");
        if (Console.ReadLine()?.Trim() != database) throw new VarlorException("not confirmed: nothing was changed");
    }

    private static int Report(Output output, RestoreCheck check, string? note, bool verify = false)
    {
        if (output.Json)
        {
            output.WriteJson(new { database = check.Database, ok = check.Ok, note, tables = TablesJson(check) });
        }
        else
        {
            foreach (var t in check.Tables) output.Line(TableLine(t, t.Ok ? "ok  " : "FAIL"));
            var rows = check.Tables.Sum(t => Math.Max(0, t.Actual));
            if (check.Ok) Output.Result($"{(verify ? "verify-restore passed" : "restore checked")}: {Format.Count(check.Tables.Count, "table")}, {Format.Count(rows, "row")} match the dump");
        }
        if (check.Ok) return 0;
        var bad = check.Mismatches.ToList();
        Output.Error($"{(verify ? "verify-restore failed" : "restored data does not match the dump")}: {bad.Count} of {check.Tables.Count} tables differ ({string.Join(", ", bad.Take(5).Select(t => t.Table))}){(note is null ? "" : "; " + note)}");
        return DbExitCodes.VerificationFailed;
    }

    /// <summary>
    /// A base backup's verification, per database and table. Written to during the backup, a difference is
    /// "changed" (the counts were taken after pg_basebackup ended, the copy is the cluster at its end), and only an
    /// unreadable table fails; from a quiet backup every difference fails.
    /// </summary>
    private static int ReportCluster(Output output, ClusterCheck c)
    {
        var tables = c.Tables.ToList();
        var differ = tables.Where(t => !t.Ok).ToList();
        var unreadable = tables.Where(t => t.Error is not null).ToList();
        var rows = tables.Sum(t => Math.Max(0, t.Actual));
        var writes = c.WrittenDuringBackup ? "transactions ran while the backup was taken: differences from the counts recorded after it are expected and shown as 'changed'" : null;
        if (output.Json)
        {
            output.WriteJson(new
            {
                snapshot = c.Backup.Snapshot.Id.ToString(), kind = "basebackup", ok = c.Ok, written_during_backup = c.WrittenDuringBackup,
                recovery_seconds = Math.Round(c.Recovery.TotalSeconds, 2), not_counted = c.NotCounted, skipped = c.Skipped,
                databases = c.Databases.Select(d => new { database = d.Database, ok = d.Ok, tables = TablesJson(d) }),
            });
        }
        else
        {
            output.Line($"scratch cluster recovered to the end of the backup and consistent in {c.Recovery.TotalSeconds:0.0}s");
            if (writes is not null) output.Line("note: " + writes);
            foreach (var d in c.Databases)
            {
                output.Line($"database {d.Database}:{(d.Tables.Count == 0 ? " no tables" : "")}");
                foreach (var t in d.Tables) output.Line(TableLine(t, t.Ok ? "ok  " : t.Error is null && c.WrittenDuringBackup ? "changed" : "FAIL"));
            }
            foreach (var s in c.Skipped) output.Line("skipped " + s);
            foreach (var n in c.NotCounted) output.Line("FAIL " + n);
            if (c.Ok && differ.Count == 0)
                Output.Result($"verify-restore passed: {Format.Count(c.Databases.Count, "database")}, {Format.Count(tables.Count, "table")}, {Format.Count(rows, "row")} match the base backup");
            else if (c.Ok)
                Output.Result($"verify-restore passed: the scratch cluster reached consistency and all {tables.Count} tables of {c.Databases.Count} databases were readable; " +
                    $"{differ.Count} differ from the counts, changed while the backup ran ({string.Join(", ", differ.Take(5).Select(t => t.Table))})");
        }
        if (c.Ok) return 0;
        var reasons = new List<string>();
        if (unreadable.Count > 0) reasons.Add($"{unreadable.Count} tables unreadable ({string.Join(", ", unreadable.Take(3).Select(t => $"{t.Table}: {t.Error}"))})");
        if (!c.WrittenDuringBackup && differ.Count > unreadable.Count)
            reasons.Add($"{differ.Count - unreadable.Count} of {tables.Count} tables differ from the quiet backup's counts ({string.Join(", ", differ.Except(unreadable).Take(5).Select(t => t.Table))})");
        if (c.NotCounted.Count > 0) reasons.Add($"databases not counted at backup time: {string.Join("; ", c.NotCounted)}");
        Output.Error($"verify-restore failed: {string.Join("; ", reasons)}");
        return DbExitCodes.VerificationFailed;
    }

    private static object TablesJson(RestoreCheck check) => check.Tables.Select(t => new
    {
        table = t.Table, recorded_rows = t.Expected, restored_rows = t.Actual, recorded_checksum = t.ExpectedChecksum, restored_checksum = t.ActualChecksum,
        ok = t.Ok, error = t.Error, note = t.Note,
    });

    private static string TableLine(TableCheck t, string status)
    {
        var sum = t.ExpectedChecksum is null ? "" : t.ExpectedChecksum == t.ActualChecksum ? ", checksum matches" : $", checksum {t.ActualChecksum?[..8] ?? "-"} != recorded {t.ExpectedChecksum[..8]}";
        var rows = t.Actual switch { -1 => "missing", -2 => $"unreadable ({t.Error})", var n => n.ToString(System.Globalization.CultureInfo.InvariantCulture) + " rows" };
        return $"  {status} {t.Table}: {rows} (recorded {t.Expected}){sum}{(t.Note is null ? "" : $" [{t.Note}]")}";
    }
}
