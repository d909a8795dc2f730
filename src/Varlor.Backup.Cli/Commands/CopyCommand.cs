using System.CommandLine;
using Varlor.Backup.Cli.Terminal;
using Varlor.Backup.Engines.Copying;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Locks;
using Varlor.Backup.Storage;

namespace Varlor.Backup.Cli.Commands;

/// <summary>
/// copy --from-repo A [--to-repo B] [SNAPSHOT...]: copies snapshots between repositories with their own keys
/// (an encrypted offsite copy), sending only the blobs B lacks. The source password comes from
/// $VARLOR_FROM_PASSWORD or --from-password-file, the target's like any command's.
/// </summary>
public static class CopyCommand
{
    public static Command Create()
    {
        var snapshots = new Argument<string[]>("SNAPSHOT") { Description = "Snapshots to copy: ids, prefixes or 'latest' (default: all)", Arity = ArgumentArity.ZeroOrMore };
        var from = new Option<string>("--from-repo") { Description = "Repository to copy from (a folder or s3:https://host/bucket/prefix)", Required = true };
        var fromPassword = new Option<string?>("--from-password-file") { Description = "Read the source repository's password from this file (default: $VARLOR_FROM_PASSWORD_FILE, $VARLOR_FROM_PASSWORD_COMMAND, $VARLOR_FROM_PASSWORD)" };
        var to = new Option<string?>("--to-repo") { Description = "Repository to copy into (default: --repo / $VARLOR_REPOSITORY)" };
        var filter = new SnapshotFilterOptions();
        var since = new Option<DateTimeOffset?>("--since") { Description = "Only snapshots taken at or after this time (e.g. 2026-11-01 or 2026-11-01T02:00:00Z)" };
        var until = new Option<DateTimeOffset?>("--until") { Description = "Only snapshots taken before this time" };
        var cmd = new Command("copy", "Copy snapshots from another repository (different keys), sending only the data this one lacks")
        {
            snapshots, from, fromPassword, to, since, until,
        };
        filter.AddTo(cmd);
        cmd.SetAction(async (p, ct) =>
        {
            var output = GlobalOptions.Output(p);
            var sourceBackend = GlobalOptions.Backend(p.GetValue(from)!);
            var targetBackend = p.GetValue(to) is { } t ? GlobalOptions.Backend(t) : GlobalOptions.Backend(p);
            if (sourceBackend.Location == targetBackend.Location) throw new VarlorException("--from-repo and the target are the same repository");
            if (!await sourceBackend.ExistsAsync(FileKind.Config, "config", ct)) throw new RepositoryNotFoundException(sourceBackend.Location);
            if (!await targetBackend.ExistsAsync(FileKind.Config, "config", ct)) throw new RepositoryNotFoundException(targetBackend.Location);
            var sourcePassword = PasswordSource.Get(p.GetValue(fromPassword), "VARLOR_FROM", "--from-password-file", "enter password for the source repository: ", confirm: false);
            using var source = await Repository.Repository.OpenAsync(sourceBackend, sourcePassword, ct);
            using var target = await Repository.Repository.OpenAsync(targetBackend, GlobalOptions.Password(p), ct);
            await using var sourceLock = await RepositoryLock.AcquireAsync(source, exclusive: false, "copy", ct);
            await using var targetLock = await RepositoryLock.AcquireAsync(target, exclusive: false, "copy", ct);
            var result = await new Copier(source, target).RunAsync(new CopyOptions
            {
                Snapshots = p.GetValue(snapshots) ?? [],
                Filter = filter.Get(p) with { Since = p.GetValue(since), Until = p.GetValue(until) },
            }, ct);
            if (output.Json)
            {
                output.WriteJson(new
                {
                    copied = result.Copied.Select(c => new { source = c.Source.ToString(), target = c.Target.ToString() }),
                    already_copied = result.AlreadyCopied.Select(s => s.ToString()),
                    blobs_read = result.BlobsRead, blobs_added = result.BlobsAdded, bytes_added = result.BytesAdded,
                    requests = GlobalOptions.RequestCount,
                });
            }
            else
            {
                foreach (var c in result.Copied) output.Line($"snapshot {c.Source.Short} copied as {c.Target.Short}");
                if (result.AlreadyCopied.Count > 0) output.Line($"{Format.Count(result.AlreadyCopied.Count, "snapshot was", "snapshots were")} already copied");
                output.Line($"added {Format.Count(result.BlobsAdded, "blob")} ({Format.Bytes(result.BytesAdded)}) to {target.Backend.Location}");
            }
            return 0;
        });
        return cmd;
    }
}
