using System.CommandLine;
using Varlor.Backup.Cli.Terminal;
using Varlor.Backup.Engines.Archiving;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Locks;

namespace Varlor.Backup.Cli.Commands;

public static class BackupCommand
{
    public static Command Create()
    {
        var paths = new Argument<string[]>("PATH") { Description = "Files and folders to back up", Arity = ArgumentArity.OneOrMore };
        var tags = new Option<string[]>("--tag") { Description = "Tag the snapshot (repeatable)", AllowMultipleArgumentsPerToken = false };
        var excludes = new Option<string[]>("--exclude", "-e") { Description = "Skip names or paths matching GLOB (repeatable)" };
        var time = new Option<DateTimeOffset?>("--time") { Description = "Snapshot time instead of now (e.g. 2026-11-01T02:00:00Z)" };
        var host = new Option<string?>("--host") { Description = "Host name to record (default: this machine's)" };
        var parent = new Option<string?>("--parent") { Description = "Snapshot to compare with (default: latest of the same host and paths)" };
        var force = new Option<bool>("--force") { Description = "Read every file, even unchanged ones" };
        var cmd = new Command("backup", "Back up files and folders into a new snapshot") { paths, tags, excludes, time, host, parent, force };
        cmd.SetAction(async (p, ct) =>
        {
            var output = GlobalOptions.Output(p);
            using var repo = await GlobalOptions.OpenAsync(p, ct);
            await using var _ = await RepositoryLock.AcquireAsync(repo, exclusive: false, "backup", ct);
            BlobId? parentId = p.GetValue(parent) is { } pref ? (await repo.FindSnapshotAsync(pref, ct)).Id : null;
            var archiver = new Archiver(repo, output);
            var options = new BackupOptions
            {
                Paths = p.GetValue(paths)!, Tags = p.GetValue(tags) ?? [], Excludes = p.GetValue(excludes) ?? [],
                Time = p.GetValue(time), Host = p.GetValue(host), Parent = parentId, Force = p.GetValue(force),
                EstimateTotals = !output.Quiet && !output.Json,
            };
            var result = await ProgressDisplay.RunAsync(output, "backup", () =>
            {
                var s = archiver.Progress;
                return new ProgressSample(s.FilesDone, s.FilesTotal, s.BytesDone, s.BytesTotal, s.Elapsed);
            }, archiver.RunAsync(options, ct));
            var sum = result.Snapshot.Summary!;
            if (output.Json)
            {
                output.WriteJson(new { snapshot = result.SnapshotId.ToString(), short_id = result.SnapshotId.Short, summary = sum, failed_files = result.FailedFiles, requests = GlobalOptions.RequestCount });
            }
            else
            {
                var seconds = (sum.BackupEnd - sum.BackupStart).TotalSeconds;
                output.Line($"files: {sum.FilesNew} new, {sum.FilesChanged} changed, {sum.FilesUnmodified} unmodified");
                output.Line($"dirs:  {sum.DirsNew} new, {sum.DirsChanged} changed, {sum.DirsUnmodified} unmodified");
                output.Line($"added to the repository: {Format.Bytes(sum.DataAdded)} ({Format.Bytes(sum.DataAddedRaw)} before compression)");
                output.Line($"processed {Format.Count(sum.TotalFilesProcessed, "file")}, {Format.Bytes(sum.TotalBytesProcessed)} in {seconds:0.00}s");
                output.Line($"snapshot {result.SnapshotId.Short} saved");
            }
            if (result.FailedFiles.Count > 0)
            {
                Output.Error($"{Format.Count(result.FailedFiles.Count, "source file")} could not be read and are not in the snapshot: {string.Join(", ", result.FailedFiles.Take(10))}");
                return ExitCodes.PartialBackup;
            }
            return 0;
        });
        return cmd;
    }
}
