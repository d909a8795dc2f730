using System.CommandLine;
using Varlor.Backup.Cli.Terminal;
using Varlor.Backup.Engines.Restoring;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Locks;
using Varlor.Backup.Repository.Snapshots;

namespace Varlor.Backup.Cli.Commands;

public static class RestoreCommand
{
    public static Command Create()
    {
        var snapshot = new Argument<string>("SNAPSHOT") { Description = "Snapshot id, unique prefix, or 'latest'" };
        var target = new Option<string>("--target", "-t") { Description = "Folder to restore into; / puts files back where they were", Required = true };
        var include = new Option<string[]>("--include", "-i") { Description = "Restore only this path as 'ls' shows it (repeatable; a relative path is taken from the current folder)" };
        var filter = new SnapshotFilterOptions();
        var cmd = new Command("restore", "Restore a snapshot, a folder or a file from it") { snapshot, target, include };
        filter.AddTo(cmd);
        var delete = new Option<bool>("--delete") { Description = "Also remove what the snapshot does not have under the included paths (or the snapshot's own paths)" };
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "List what would be created, replaced and deleted; change nothing" };
        var force = new Option<bool>("--force") { Description = "Restore a whole snapshot over / without asking (required without a terminal)" };
        cmd.Options.Add(delete);
        cmd.Options.Add(dryRun);
        cmd.Options.Add(force);
        cmd.SetAction(async (p, ct) =>
        {
            var output = GlobalOptions.Output(p);
            var options = new RestoreOptions
            {
                Target = p.GetValue(target)!, Includes = ResolveIncludes(p.GetValue(include) ?? []),
                Delete = p.GetValue(delete), DryRun = p.GetValue(dryRun),
            };
            ConfirmWholeSnapshotOverRoot(options, p.GetValue(force));
            using var repo = await GlobalOptions.OpenAsync(p, ct);
            await using var _ = await RepositoryLock.AcquireAsync(repo, exclusive: false, "restore", ct);
            var snap = await SnapshotSelector.FindAsync(repo, p.GetValue(snapshot)!, filter.Get(p), ct);
            var restorer = new Restorer(repo, output);
            var result = await ProgressDisplay.RunAsync(output, "restore", () =>
            {
                var s = restorer.Progress;
                return new ProgressSample(s.FilesDone, s.FilesTotal, s.BytesDone, s.BytesTotal, s.Elapsed);
            }, restorer.RunAsync(snap, options, ct));
            if (options.DryRun) ReportDryRun(output, snap.Id, result);
            else if (output.Json)
            {
                output.WriteJson(new
                {
                    snapshot = snap.Id.ToString(), dry_run = false, files_restored = result.FilesRestored, files_unchanged = result.FilesUnchanged,
                    bytes_written = result.BytesWritten, dirs = result.DirsRestored, symlinks = result.SymlinksRestored,
                    created = result.Created, replaced = result.Replaced, deleted = result.Deleted, unchanged = result.Unchanged, errors = result.Errors,
                });
            }
            else
            {
                var deleted = options.Delete ? $", {result.Deleted} deleted" : "";
                output.Line($"restored snapshot {snap.Id.Short}: {Format.Count(result.FilesRestored, "file")} written ({Format.Bytes(result.BytesWritten)}), {result.FilesUnchanged} already identical, {Format.Count(result.DirsRestored, "folder")}, {Format.Count(result.SymlinksRestored, "symlink")}{deleted}");
            }
            if (result.Errors.Count == 0) return 0;
            Output.Error(options.DryRun
                ? $"{Format.Count(result.Errors.Count, "item")} could not be restored as things stand (listed above)"
                : $"{Format.Count(result.Errors.Count, "item")} could not be restored (listed above); nothing was written for them");
            return 1;
        });
        return cmd;
    }

    /// <summary>Paths in a snapshot are absolute: a relative --include means a path under the current folder.</summary>
    private static string[] ResolveIncludes(string[] includes) =>
        [.. includes.Select(i => Path.IsPathRooted(i) ? i : Path.GetFullPath(i))];

    /// <summary>
    /// A whole snapshot over / rewrites every path it holds on a live system: asked on a terminal, --force
    /// otherwise. With --include (or --dry-run) the command says what it touches, so nothing is asked.
    /// </summary>
    private static void ConfirmWholeSnapshotOverRoot(RestoreOptions options, bool force)
    {
        if (force || options.DryRun || Path.GetFullPath(options.Target) != "/" || options.Includes.Any(i => i.Trim('/').Length > 0)) return;
        if (Console.IsInputRedirected || Console.IsErrorRedirected)
            throw new VarlorException("restoring a whole snapshot over / puts back every path it holds: add --include PATH to restore only that path, or --force (no terminal to confirm on)");
        Console.Error.Write($"this puts every path of the snapshot back in place over /{(options.Delete ? " and deletes what it does not have there" : "")}; type yes to go on: ");
        if (Console.ReadLine()?.Trim() != "yes") throw new VarlorException("not confirmed: nothing was changed");
    }

    private static void ReportDryRun(Output output, BlobId snapshot, RestoreResult result)
    {
        var changes = result.Changes.OrderBy(c => c.Path, StringComparer.Ordinal).ToList();
        if (output.Json)
        {
            output.WriteJson(new
            {
                snapshot = snapshot.ToString(), dry_run = true, created = result.Created, replaced = result.Replaced, deleted = result.Deleted, unchanged = result.Unchanged,
                changes = changes.Select(c => new { action = c.Action.ToString().ToLowerInvariant(), path = c.Path }), errors = result.Errors,
            });
            return;
        }
        foreach (var c in changes) Output.Result($"{c.Action.ToString().ToLowerInvariant(),-7} {c.Path}");
        Output.Result($"dry run of snapshot {snapshot.Short}: {result.Created} to create, {result.Replaced} to replace, {result.Deleted} to delete, {result.Unchanged} unchanged; nothing was changed");
    }
}
