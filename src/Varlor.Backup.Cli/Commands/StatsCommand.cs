using System.CommandLine;
using Varlor.Backup.Cli.Terminal;
using Varlor.Backup.Engines.Diffing;

namespace Varlor.Backup.Cli.Commands;

public static class StatsCommand
{
    public static Command Create()
    {
        var cmd = new Command("stats", "Show repository size, deduplication and compression");
        cmd.SetAction(async (p, ct) =>
        {
            var output = GlobalOptions.Output(p);
            using var repo = await GlobalOptions.OpenAsync(p, ct);
            var s = await RepositoryStats.ComputeAsync(repo, ct);
            if (output.Json)
            {
                output.WriteJson(new
                {
                    snapshots = s.Snapshots, packs = s.Packs, repository_bytes = s.PackBytes, data_blobs = s.DataBlobs, tree_blobs = s.TreeBlobs,
                    unique_raw_bytes = s.UniqueRawBytes, latest_snapshot_files = s.LatestSnapshotFiles, latest_snapshot_bytes = s.LatestSnapshotBytes,
                    all_snapshots_bytes = s.AllSnapshotsBytes, space_saving_ratio = s.SpaceSavingRatio,
                });
                return 0;
            }
            Output.Result($"snapshots:              {s.Snapshots}");
            Output.Result($"latest snapshot:        {Format.Count(s.LatestSnapshotFiles, "file")}, {Format.Bytes(s.LatestSnapshotBytes)}");
            Output.Result($"all snapshots together: {Format.Bytes(s.AllSnapshotsBytes)}");
            Output.Result($"unique data:            {Format.Bytes(s.UniqueRawBytes)} in {s.DataBlobs} chunks and {s.TreeBlobs} trees");
            Output.Result($"repository size:        {Format.Bytes(s.PackBytes)} in {Format.Count(s.Packs, "pack")}");
            Output.Result($"space saving:           {s.SpaceSavingRatio:0.00}x (deduplication x compression)");
            return 0;
        });
        return cmd;
    }
}
