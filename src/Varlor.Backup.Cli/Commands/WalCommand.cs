using System.CommandLine;
using Varlor.Backup.Cli.Terminal;
using Varlor.Backup.Engines.Wal;
using Varlor.Backup.Postgres.Wal;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Cli.Commands;

/// <summary>wal push / fetch / status: PostgreSQL's continuous archiving into the repository (see Varlor.Backup.Postgres).</summary>
public static class WalCommand
{
    private static readonly Option<string?> Spool = new("--spool")
    {
        Description = "Local folder for acknowledgements and read-ahead (default: $VARLOR_WAL_SPOOL, else ~/.cache/varlor-backup/wal); a cache, safe to delete",
        Recursive = true,
    };

    public static Command Create()
    {
        var cmd = new Command("wal", "PostgreSQL WAL archive: archive_command, restore_command, and the recoverable window") { Spool };
        cmd.Subcommands.Add(Push());
        cmd.Subcommands.Add(Fetch());
        cmd.Subcommands.Add(Status());
        return cmd;
    }

    private static string Location(ParseResult p) =>
        p.GetValue(GlobalOptions.Repo) ?? Environment.GetEnvironmentVariable("VARLOR_REPOSITORY") ?? "";

    private static Command Push()
    {
        var path = new Argument<string>("PATH") { Description = "The WAL file (%p in archive_command)" };
        var batch = new Option<int>("--batch") { Description = "Archive up to this many ready files per repository open (1: only PATH)", DefaultValueFactory = _ => 16 };
        var cmd = new Command("push", "archive_command: store one WAL file durably (identical re-push succeeds, different content fails)") { path, batch };
        cmd.SetAction(async (p, ct) =>
        {
            if (p.GetValue(batch) < 1) throw new VarlorException("--batch must be at least 1");
            var output = GlobalOptions.Output(p);
            var pusher = new WalPusher(WalSpool.For(Location(p), p.GetValue(Spool)), p.GetValue(batch), parallelism: Math.Min(4, Environment.ProcessorCount));
            var report = await pusher.PushAsync(p.GetValue(path)!, token => GlobalOptions.OpenAsync(p, token), ct);
            if (output.Json)
            {
                output.WriteJson(new { name = report.Name, outcome = report.Outcome.ToString().ToLowerInvariant(), acknowledged = report.FromAck, ahead = report.Ahead, ahead_failed = report.AheadFailed });
                return 0;
            }
            var what = report.Outcome == WalPushOutcome.Stored ? "archived" : report.FromAck ? "already archived (batch)" : "already archived, identical";
            output.Line($"{report.Name}: {what}" + (report.Ahead.Count > 0 ? $"; {Format.Count(report.Ahead.Count, "more ready file")} archived ahead" : ""));
            return 0;
        });
        return cmd;
    }

    private static Command Fetch()
    {
        var name = new Argument<string>("NAME") { Description = "The WAL file name (%f in restore_command)" };
        var dest = new Argument<string>("DEST") { Description = "Where to write it (%p in restore_command)" };
        var readAhead = new Option<int>("--read-ahead") { Description = "Also read this many following segments into the spool", DefaultValueFactory = _ => 8 };
        var cmd = new Command("fetch", "restore_command: write one archived WAL file to DEST; exit 25 when the archive lacks it") { name, dest, readAhead };
        cmd.SetAction(async (p, ct) =>
        {
            if (p.GetValue(readAhead) < 0) throw new VarlorException("--read-ahead must be 0 or more");
            var fetcher = new WalFetcher(WalSpool.For(Location(p), p.GetValue(Spool)), p.GetValue(readAhead), parallelism: Math.Min(4, Environment.ProcessorCount));
            var backend = GlobalOptions.Backend(p);
            var report = await fetcher.FetchAsync(p.GetValue(name)!, p.GetValue(dest)!, backend, token => GlobalOptions.OpenAsync(p, backend, token), ct);
            if (!report.Found)
            {
                // PostgreSQL asks for files that may not exist (the next timeline's history, the end of the archive).
                Console.Error.WriteLine($"{report.Name}: not in the archive");
                return WalExitCodes.NotFound;
            }
            return 0;
        });
        return cmd;
    }

    private static Command Status()
    {
        var cmd = new Command("status", "Per timeline: archived segments, gaps, and the window that can be recovered to; exit 1 on a gap or when nothing is recoverable");
        cmd.SetAction(async (p, ct) =>
        {
            var output = GlobalOptions.Output(p);
            using var repo = await GlobalOptions.OpenAsync(p, ct);
            var status = await WalStatus.LoadAsync(repo, ct);
            if (output.Json) output.WriteJson(ToJson(status));
            else Print(status, output.Line);
            if (NothingRecoverable(status) is { } reason)
            {
                Output.Error("nothing is recoverable: " + reason);
                return ExitCodes.Failure;
            }
            return status.HasGaps ? ExitCodes.Failure : ExitCodes.Success;
        });
        return cmd;
    }

    /// <summary>Why no point in time can be recovered from the archive, or null when one can.</summary>
    private static string? NothingRecoverable(WalStatus s) =>
        s.Timelines.Exists(t => t.Ranges.Count > 0) ? null
        : s.Files == 0 ? "no WAL archived yet (is archive_command 'varlor-backup wal push %p' set?)"
        : s.BaseBackups.Count == 0 ? "no base backup to start from (run 'varlor-backup db basebackup')"
        : "no base backup is followed by archived WAL (" + string.Join("; ", s.Timelines.Select(t => $"timeline {t.Timeline}: {t.Problem}")) + ")";

    public static object ToJson(WalStatus s) => new
    {
        segment_size = s.SegmentSize, files = s.Files, stored_bytes = s.StoredBytes, gaps = s.HasGaps,
        base_backups = s.BaseBackups.Select(b => new { snapshot = b.Snapshot.Id.Short, timeline = b.Manifest.Timeline, start_lsn = b.Manifest.StartLsn, end_lsn = b.Manifest.EndLsn, finished = b.Finished }),
        timelines = s.Timelines.Select(t => new
        {
            timeline = t.Timeline, segments = t.Segments, first = t.FirstSegment, last = t.LastSegment,
            gaps = t.Gaps.Select(g => new { from = g.FirstName, to = g.LastName, missing = g.Last - g.First + 1 }),
            recoverable = t.Ranges.Select(r => new
            {
                from_backup = r.FromBackup, from_lsn = WalFileName.FormatLsn(r.FromLsn), from_time = r.FromTime,
                to_lsn = WalFileName.FormatLsn(r.ToLsn), to_segment = r.ToSegment, to_time = r.ToTime,
            }),
            problem = t.Problem,
        }),
    };

    /// <summary>The human-readable report (also printed by check when the repository archives WAL).</summary>
    public static void Print(WalStatus s, Action<string> line)
    {
        line($"WAL archive: {Format.Count(s.Files, "file")} ({Format.Bytes(s.StoredBytes)} stored), {Format.Count(s.BaseBackups.Count, "base backup")}");
        if (s.Timelines.Count == 0) line("  no WAL segments archived yet");
        foreach (var t in s.Timelines)
        {
            line($"  timeline {t.Timeline}: {Format.Count(t.Segments, "segment")}, {t.FirstSegment} .. {t.LastSegment}");
            foreach (var g in t.Gaps)
                line($"    GAP: {Format.Count((long)(g.Last - g.First + 1), "segment")} missing, {g.FirstName}{(g.Last > g.First ? " .. " + g.LastName : "")}");
            if (t.Ranges.Count == 0) line($"    recoverable: nothing ({t.Problem})");
            foreach (var r in t.Ranges)
                line($"    recoverable: from {Format.Time(r.FromTime)} (base backup {r.FromBackup}, LSN {WalFileName.FormatLsn(r.FromLsn)}) to {(r.ToTime is { } to ? Format.Time(to) : "?")} (LSN {WalFileName.FormatLsn(r.ToLsn)}, segment {r.ToSegment})");
        }
    }
}
