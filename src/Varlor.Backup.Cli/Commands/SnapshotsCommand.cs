using System.CommandLine;
using Varlor.Backup.Cli.Terminal;

namespace Varlor.Backup.Cli.Commands;

public static class SnapshotsCommand
{
    public static Command Create()
    {
        var filter = new SnapshotFilterOptions();
        var cmd = new Command("snapshots", "List snapshots, oldest first");
        filter.AddTo(cmd);
        cmd.SetAction(async (p, ct) =>
        {
            var output = GlobalOptions.Output(p);
            using var repo = await GlobalOptions.OpenAsync(p, ct);
            var problems = new List<string>();
            var snapshots = (await repo.LoadSnapshotsAsync(ct, problems)).Where(filter.Get(p).Matches).ToList();
            foreach (var problem in problems) Output.Error(problem);
            if (output.Json)
            {
                output.WriteJson(snapshots.Select(s => new
                {
                    id = s.Id.ToString(), short_id = s.Id.Short, time = s.Time, hostname = s.Hostname, username = s.Username,
                    paths = s.Paths, tags = s.Tags, parent = s.Parent?.ToString(), tree = s.Tree.ToString(), summary = s.Summary,
                }));
                return problems.Count > 0 ? 1 : 0;
            }
            Output.Result($"{"ID",-8}  {"Time",-20}  {"Host",-16}  {"Size",10}  {"Tags",-20}  Paths");
            foreach (var s in snapshots)
                Output.Result($"{s.Id.Short,-8}  {Format.Time(s.Time),-20}  {s.Hostname,-16}  {Format.Bytes(s.Summary?.TotalBytesProcessed ?? 0),10}  {string.Join(",", s.Tags),-20}  {string.Join(" ", s.Paths)}");
            output.Line($"{Format.Count(snapshots.Count, "snapshot")}");
            return problems.Count > 0 ? 1 : 0;
        });
        return cmd;
    }
}
