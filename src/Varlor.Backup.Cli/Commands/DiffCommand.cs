using System.CommandLine;
using Varlor.Backup.Cli.Terminal;
using Varlor.Backup.Engines.Diffing;
using Varlor.Backup.Repository.Snapshots;

namespace Varlor.Backup.Cli.Commands;

public static class DiffCommand
{
    public static Command Create()
    {
        var first = new Argument<string>("SNAPSHOT1") { Description = "Snapshot id, unique prefix, or 'latest' (within the filters)" };
        var second = new Argument<string>("SNAPSHOT2") { Description = "Snapshot id, unique prefix, or 'latest' (within the filters)" };
        var cmd = new Command("diff", "Show what changed between two snapshots (+ added, - removed, M modified, U metadata only)") { first, second };
        var filter = new SnapshotFilterOptions();
        filter.AddTo(cmd);
        cmd.SetAction(async (p, ct) =>
        {
            var output = GlobalOptions.Output(p);
            using var repo = await GlobalOptions.OpenAsync(p, ct);
            var a = await SnapshotSelector.FindAsync(repo, p.GetValue(first)!, filter.Get(p), ct);
            var b = await SnapshotSelector.FindAsync(repo, p.GetValue(second)!, filter.Get(p), ct);
            await repo.LoadIndexAsync(ct);
            var changes = await SnapshotDiff.CompareAsync(repo, a.Tree, b.Tree, ct);
            if (output.Json)
            {
                output.WriteJson(changes.Select(c => new { kind = c.Kind, path = c.Path, type = c.Type }));
                return 0;
            }
            foreach (var c in changes)
            {
                var mark = c.Kind switch { Engines.Diffing.ChangeKind.Added => "+", Engines.Diffing.ChangeKind.Removed => "-", Engines.Diffing.ChangeKind.Modified => "M", _ => "U" };
                Output.Result($"{mark}    {c.Path}{(c.Type == Repository.Trees.NodeType.Dir ? "/" : "")}");
            }
            output.Line($"{changes.Count(c => c.Kind == ChangeKind.Added)} added, {changes.Count(c => c.Kind == ChangeKind.Removed)} removed, {changes.Count(c => c.Kind == ChangeKind.Modified)} modified, {changes.Count(c => c.Kind == ChangeKind.MetadataChanged)} metadata changed");
            return 0;
        });
        return cmd;
    }
}
