using System.CommandLine;
using Varlor.Backup.Cli.Terminal;
using Varlor.Backup.Repository.Locks;

namespace Varlor.Backup.Cli.Commands;

public static class UnlockCommand
{
    public static Command Create()
    {
        var all = new Option<bool>("--remove-all") { Description = "Remove every lock, not only stale ones (only when no other process uses the repository)" };
        var cmd = new Command("unlock", "Remove stale locks (dead process on this host, or not refreshed for 30 minutes)") { all };
        cmd.SetAction(async (p, ct) =>
        {
            var output = GlobalOptions.Output(p);
            using var repo = await GlobalOptions.OpenAsync(p, ct);
            var removed = await RepositoryLock.RemoveStaleAsync(repo, p.GetValue(all), ct);
            if (output.Json) output.WriteJson(new { removed });
            else output.Line($"removed {Format.Count(removed, "lock")}");
            return 0;
        });
        return cmd;
    }
}
