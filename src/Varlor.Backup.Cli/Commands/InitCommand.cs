using System.CommandLine;
using Varlor.Backup.Storage;

namespace Varlor.Backup.Cli.Commands;

public static class InitCommand
{
    public static Command Create()
    {
        var cmd = new Command("init", "Create a new, empty repository");
        cmd.SetAction(async (p, ct) =>
        {
            var output = GlobalOptions.Output(p);
            var backend = GlobalOptions.Backend(p);
            if (await backend.ExistsAsync(FileKind.Config, "config", ct))
                throw new Repository.VarlorException($"a repository already exists at {backend.Location}");
            using var repo = await Repository.Repository.InitAsync(backend, GlobalOptions.Password(p, confirm: true), ct);
            if (output.Json) output.WriteJson(new { id = repo.Config.Id, location = backend.Location });
            else output.Line($"created repository {repo.Config.Id[..10]} at {backend.Location}");
            return 0;
        });
        return cmd;
    }
}
