using System.CommandLine;
using Varlor.Backup.Cli.Terminal;
using Varlor.Backup.Engines.Restoring;
using Varlor.Backup.Repository.Locks;
using Varlor.Backup.Repository.Snapshots;

namespace Varlor.Backup.Cli.Commands;

public static class RestoreCommand
{
    public static Command Create()
    {
        var snapshot = new Argument<string>("SNAPSHOT") { Description = "Snapshot id, unique prefix, or 'latest'" };
        var target = new Option<string>("--target", "-t") { Description = "Folder to restore into", Required = true };
        var include = new Option<string[]>("--include", "-i") { Description = "Restore only this path as 'ls' shows it (repeatable)" };
        var filter = new SnapshotFilterOptions();
        var cmd = new Command("restore", "Restore a snapshot, a folder or a file from it") { snapshot, target, include };
        filter.AddTo(cmd);
        cmd.SetAction(async (p, ct) =>
        {
            var output = GlobalOptions.Output(p);
            using var repo = await GlobalOptions.OpenAsync(p, ct);
            await using var _ = await RepositoryLock.AcquireAsync(repo, exclusive: false, "restore", ct);
            var snap = await SnapshotSelector.FindAsync(repo, p.GetValue(snapshot)!, filter.Get(p), ct);
            var restorer = new Restorer(repo, output);
            var result = await ProgressDisplay.RunAsync(output, "restore", () =>
            {
                var s = restorer.Progress;
                return new ProgressSample(s.FilesDone, s.FilesTotal, s.BytesDone, s.BytesTotal, s.Elapsed);
            }, restorer.RunAsync(snap, new RestoreOptions { Target = p.GetValue(target)!, Includes = p.GetValue(include) ?? [] }, ct));
            if (output.Json)
            {
                output.WriteJson(new
                {
                    snapshot = snap.Id.ToString(), files_restored = result.FilesRestored, files_unchanged = result.FilesUnchanged,
                    bytes_written = result.BytesWritten, dirs = result.DirsRestored, symlinks = result.SymlinksRestored, errors = result.Errors,
                });
            }
            else
            {
                output.Line($"restored snapshot {snap.Id.Short}: {Format.Count(result.FilesRestored, "file")} written ({Format.Bytes(result.BytesWritten)}), {result.FilesUnchanged} already identical, {Format.Count(result.DirsRestored, "folder")}, {Format.Count(result.SymlinksRestored, "symlink")}");
            }
            if (result.Errors.Count == 0) return 0;
            Output.Error($"{Format.Count(result.Errors.Count, "item")} could not be restored (listed above); nothing was written for them");
            return 1;
        });
        return cmd;
    }
}
