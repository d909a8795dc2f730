using System.CommandLine;
using Varlor.Backup.Cli.Terminal;
using Varlor.Backup.Engines.Diffing;
using Varlor.Backup.Repository.Snapshots;

namespace Varlor.Backup.Cli.Commands;

public static class LsCommand
{
    public static Command Create()
    {
        var snapshot = new Argument<string>("SNAPSHOT") { Description = "Snapshot id, unique prefix, or 'latest'" };
        var path = new Argument<string?>("PATH") { Description = "Only this path and what is under it", Arity = ArgumentArity.ZeroOrOne };
        var filter = new SnapshotFilterOptions();
        var cmd = new Command("ls", "List the files of a snapshot") { snapshot, path };
        filter.AddTo(cmd);
        cmd.SetAction(async (p, ct) =>
        {
            var output = GlobalOptions.Output(p);
            using var repo = await GlobalOptions.OpenAsync(p, ct);
            var snap = await SnapshotSelector.FindAsync(repo, p.GetValue(snapshot)!, filter.Get(p), ct);
            await repo.LoadIndexAsync(ct);
            var entries = new List<object>();
            await foreach (var (nodePath, node) in TreeWalker.WalkAsync(repo, snap.Tree, p.GetValue(path), ct))
            {
                if (output.Json)
                    entries.Add(new { path = nodePath, type = node.Type, mode = node.Mode, uid = node.Uid, gid = node.Gid, size = node.Size, mtime = node.Mtime, link_target = node.LinkTarget });
                else
                    Output.Result($"{Format.Mode(node.Type, node.Mode)} {node.Uid,5} {node.Gid,5} {node.Size,12} {Format.Time(node.Mtime)} {nodePath}{(node.LinkTarget is null ? "" : " -> " + node.LinkTarget)}");
            }
            if (output.Json) output.WriteJson(entries);
            return 0;
        });
        return cmd;
    }
}
