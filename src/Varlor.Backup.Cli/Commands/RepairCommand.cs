using System.CommandLine;
using Varlor.Backup.Cli.Terminal;
using Varlor.Backup.Engines.Repairing;
using Varlor.Backup.Repository.Locks;

namespace Varlor.Backup.Cli.Commands;

public static class RepairCommand
{
    public static Command Create()
    {
        var readData = new Option<bool>("--read-data") { Description = "Verify every blob and leave damaged ones out of the index" };
        var index = new Command("index", "Rebuild the index from the pack files (after a lost or damaged index file)") { readData };
        index.SetAction(async (p, ct) =>
        {
            var output = GlobalOptions.Output(p);
            using var repo = await GlobalOptions.OpenAsync(p, ct);
            await using var _ = await RepositoryLock.AcquireAsync(repo, exclusive: true, "repair index", ct);
            var report = await new IndexRepair(repo, output).RunAsync(p.GetValue(readData), ct);
            if (output.Json) output.WriteJson(report);
            else output.Line($"indexed {Format.Count(report.Blobs, "blob")} in {Format.Count(report.Packs, "pack")} ({Format.Count(report.UnreadablePacks, "unreadable pack")}, {Format.Count(report.DamagedBlobs, "damaged blob")} left out); replaced {Format.Count(report.IndexFilesReplaced, "index file")}");
            return 0;
        });

        var forget = new Option<bool>("--forget") { Description = "Remove the original snapshots once repaired copies are saved" };
        var snapshots = new Command("snapshots", "Rewrite snapshots that need lost data: drop the files and folders that cannot be restored, keep the rest") { forget };
        snapshots.SetAction(async (p, ct) =>
        {
            var output = GlobalOptions.Output(p);
            using var repo = await GlobalOptions.OpenAsync(p, ct);
            await using var _ = await RepositoryLock.AcquireAsync(repo, exclusive: true, "repair snapshots", ct);
            var repaired = await new SnapshotRepair(repo).RunAsync(p.GetValue(forget), ct);
            if (output.Json)
            {
                output.WriteJson(repaired.Select(r => new { original = r.Original.ToString(), repaired = r.Repaired.ToString(), dropped = r.DroppedPaths }));
                return 0;
            }
            foreach (var r in repaired)
            {
                output.Line($"snapshot {r.Original.Short} -> {r.Repaired.Short}: dropped {Format.Count(r.DroppedPaths.Count, "path")}");
                foreach (var d in r.DroppedPaths) output.Line("  - " + d);
            }
            output.Line(repaired.Count == 0 ? "no snapshot needs repair" : $"{Format.Count(repaired.Count, "snapshot")} repaired");
            return 0;
        });
        return new Command("repair", "Repair what can be repaired after damage (see 'check')") { index, snapshots };
    }
}
