using System.CommandLine;
using Varlor.Backup.Cli.Terminal;
using Varlor.Backup.Engines.Restoring;
using Varlor.Backup.Repository.Locks;

namespace Varlor.Backup.Cli.Commands;

public static class RestoreCommand
{
    public static Command Create()
    {
        var snapshot = new Argument<string>("SNAPSHOT") { Description = "Snapshot id, unique prefix, or 'latest'" };
        var target = new Option<string>("--target", "-t") { Description = "Folder to restore into", Required = true };
        var include = new Option<string[]>("--include", "-i") { Description = "Restore only this path as 'ls' shows it (repeatable)" };
        var cmd = new Command("restore", "Restore a snapshot, a folder or a file from it") { snapshot, target, include };
        cmd.SetAction(async (p, ct) =>
        {
            var output = GlobalOptions.Output(p);
            using var repo = await GlobalOptions.OpenAsync(p, ct);
            await using var _ = await RepositoryLock.AcquireAsync(repo, exclusive: false, "restore", ct);
            var snap = await repo.FindSnapshotAsync(p.GetValue(snapshot)!, ct);
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
                output.Line($"restored snapshot {snap.Id.Short}: {result.FilesRestored} files written ({Format.Bytes(result.BytesWritten)}), {result.FilesUnchanged} already identical, {result.DirsRestored} folders, {result.SymlinksRestored} symlinks");
            }
            if (result.Errors.Count == 0) return 0;
            Output.Error($"{result.Errors.Count} item(s) could not be restored (listed above); nothing was written for them");
            return 1;
        });
        return cmd;
    }
}
