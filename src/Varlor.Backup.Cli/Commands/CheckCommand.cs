using System.CommandLine;
using System.Globalization;
using Varlor.Backup.Cli.Terminal;
using Varlor.Backup.Engines.Checking;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Locks;

namespace Varlor.Backup.Cli.Commands;

public static class CheckCommand
{
    public static Command Create()
    {
        var readData = new Option<bool>("--read-data") { Description = "Also read and authenticate every pack" };
        var subset = new Option<string?>("--read-data-subset") { Description = "Read only a slice of the packs: K/N (e.g. the day of the month /31) or N%" };
        var maxAge = new Option<string?>("--max-age")
        {
            Description = $"Only check that the newest snapshot (within --tag/--host/--path) is at most this old, e.g. 26h, 2d, 90m; exit {ExitCodes.TooOld} if not or if none matches",
            HelpName = "DURATION",
        };
        var filter = new SnapshotFilterOptions();
        var cmd = new Command("check", "Check the repository's structure and, with --read-data, every byte of its data; or, with --max-age, that a recent backup exists") { readData, subset, maxAge };
        filter.AddTo(cmd);
        cmd.SetAction(async (p, ct) =>
        {
            var output = GlobalOptions.Output(p);
            if (p.GetValue(maxAge) is { } age)
            {
                if (p.GetValue(readData) || p.GetValue(subset) is not null) throw new VarlorException("--max-age only looks at snapshot times: run --read-data as a separate check");
                return await AgeCheck.RunAsync(p, output, age, filter.Get(p), ct);
            }
            if (!filter.Get(p).IsEmpty) throw new VarlorException("--tag, --host and --path choose the snapshots --max-age looks at: give --max-age");
            using var repo = await GlobalOptions.OpenAsync(p, ct);
            await using var _ = await RepositoryLock.AcquireAsync(repo, exclusive: false, "check", ct);
            var options = ParseSubset(p.GetValue(subset)) with { ReadData = p.GetValue(readData) || p.GetValue(subset) is not null };
            var checker = new Checker(repo);
            var report = await ProgressDisplay.RunAsync(output, "check --read-data", () =>
            {
                var s = checker.Progress;
                return new ProgressSample(s.PacksDone, s.PacksTotal, s.BytesDone, s.BytesTotal, s.Elapsed);
            }, checker.RunAsync(options, ct), unit: "packs");
            // The WAL chain is part of what a check answers: can every point since the oldest base backup be recovered?
            var wal = report.WalFiles > 0 ? await Postgres.Wal.WalStatus.LoadAsync(repo, ct) : null;
            foreach (var t in wal?.Timelines ?? [])
                foreach (var g in t.Gaps)
                    report.Warnings.Add($"wal: timeline {t.Timeline} has a gap of {Format.Count((long)(g.Last - g.First + 1), "segment")} at {g.FirstName}: points after it cannot be recovered from older base backups");
            if (output.Json)
            {
                output.WriteJson(new
                {
                    ok = report.Ok, errors = report.Errors, warnings = report.Warnings, damaged_packs = report.DamagedPacks,
                    damaged_blobs = report.DamagedBlobs, affected_files = report.AffectedFiles, snapshots = report.Snapshots,
                    trees = report.Trees, packs = report.Packs, packs_read = report.PacksRead, bytes_read = report.BytesRead,
                    wal = wal is null ? null : WalCommand.ToJson(wal),
                });
            }
            else
            {
                foreach (var w in report.Warnings) Console.Error.WriteLine("warning: " + w);
                foreach (var e in report.Errors) Console.Error.WriteLine("damage: " + e);
                foreach (var f in report.AffectedFiles) Console.Error.WriteLine($"affected: snapshot {f.Snapshot[..8]} {f.Path} (blob {f.Blob[..8]})");
                output.Line($"checked {Format.Count(report.Snapshots, "snapshot")}, {Format.Count(report.Trees, "tree")}, {Format.Count(report.Packs, "pack")}" +
                    (options.ReadData ? $"; read {Format.Count(report.PacksRead, "pack")} ({Format.Bytes(report.BytesRead)})" : ""));
                if (wal is not null) WalCommand.Print(wal, output.Line);
                output.Line(report.Ok ? "no errors found" : $"{Format.Count(report.Errors.Count, "error")} found");
            }
            return report.Ok ? 0 : 1;
        });
        return cmd;
    }

    private static CheckOptions ParseSubset(string? value)
    {
        if (value is null) return new CheckOptions();
        if (value.EndsWith('%') && double.TryParse(value[..^1], NumberStyles.Float, CultureInfo.InvariantCulture, out var pct) && pct > 0 && pct <= 100)
            return new CheckOptions { Fraction = pct / 100 };
        var parts = value.Split('/');
        if (parts.Length == 2 && int.TryParse(parts[0], out var k) && int.TryParse(parts[1], out var n) && n >= 1 && k >= 1 && k <= n)
            return new CheckOptions { Slice = (k, n) };
        throw new VarlorException($"--read-data-subset '{value}': use K/N (1 <= K <= N) or a percentage such as 10%");
    }
}
