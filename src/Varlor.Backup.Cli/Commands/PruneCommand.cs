using System.CommandLine;
using System.Globalization;
using Varlor.Backup.Cli.Terminal;
using Varlor.Backup.Engines.Pruning;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Locks;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Cli.Commands;

public static class PruneCommand
{
    public static readonly Option<string> MaxUnused = new("--max-unused")
    {
        Description = "Unused space to tolerate in partly-used packs before repacking them (percent of used space)",
        DefaultValueFactory = _ => "5%",
    };

    public static Command Create()
    {
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Only show what would be removed" };
        var cmd = new Command("prune", "Remove data that no snapshot needs, repacking partly-used packs") { MaxUnused, dryRun };
        cmd.SetAction(async (p, ct) =>
        {
            var output = GlobalOptions.Output(p);
            using var repo = await GlobalOptions.OpenAsync(p, ct);
            await using var _ = await RepositoryLock.AcquireAsync(repo, exclusive: true, "prune", ct);
            await RunAsync(repo, output, ParseMaxUnused(p.GetValue(MaxUnused)), p.GetValue(dryRun), ct);
            return 0;
        });
        return cmd;
    }

    /// <summary>Runs prune and prints its report; shared with 'forget --prune'.</summary>
    public static async Task RunAsync(Repo repo, Output output, double maxUnused, bool dryRun, CancellationToken ct)
    {
        var wal = await Postgres.Wal.WalRetention.ExpireAsync(repo, new HashSet<BlobId>(), dryRun, ct);
        var report = await new Pruner(repo, output).RunAsync(new PruneOptions { MaxUnused = maxUnused, DryRun = dryRun }, ct);
        if (output.Json)
        {
            // The pack report's fields stay at the top (scripts read them); WAL retention beside them.
            var node = System.Text.Json.JsonSerializer.SerializeToNode(report, Output.JsonOptions)!.AsObject();
            node["wal"] = System.Text.Json.JsonSerializer.SerializeToNode(wal, Output.JsonOptions);
            output.WriteJson(node);
            return;
        }
        PrintWal(output, wal, dryRun);
        output.Line($"{Format.Count(report.Snapshots, "snapshot")} use{(report.Snapshots == 1 ? "s" : "")} {Format.Bytes(report.UsedBytes)}; {Format.Bytes(report.UnusedBytes)} unused in {Format.Count(report.PacksBefore, "pack")}");
        output.Line($"{(dryRun ? "would delete" : "deleted")} {Format.Count(report.PacksDeleted, "pack")}, {(dryRun ? "would repack" : "repacked")} {report.PacksRepacked}; " +
            $"{(dryRun ? "would free" : "freed")} {Format.Bytes(report.BytesFreed)}; {Format.Bytes(report.UnusedBytesAfter)} unused remain");
    }

    /// <summary>One line on what WAL retention did, when the repository archives WAL.</summary>
    public static void PrintWal(Output output, Postgres.Wal.WalExpiry wal, bool dryRun)
    {
        if (wal.Note is not null) output.Line("wal: " + wal.Note);
        else if (wal.KeptFrom is not null)
            output.Line($"wal: {(dryRun ? "would remove" : "removed")} {Format.Count(wal.Deleted, "file")} ({Format.Bytes(wal.BytesFreed)}) older than base backup {wal.OldestBackup}; kept from {wal.KeptFrom}");
    }

    public static double ParseMaxUnused(string? value)
    {
        var text = (value ?? "5%").TrimEnd('%');
        if (double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var pct) && pct >= 0 && pct <= 1000)
            return pct / 100;
        throw new VarlorException($"--max-unused '{value}': give a percentage such as 5%");
    }
}
