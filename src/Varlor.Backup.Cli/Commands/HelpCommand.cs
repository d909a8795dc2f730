using System.CommandLine;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Cli.Commands;

/// <summary>help [COMMAND [SUBCOMMAND]]: the same text as COMMAND --help (people type 'help backup' as git taught them).</summary>
public static class HelpCommand
{
    public static Command Create(RootCommand root)
    {
        var names = new Argument<string[]>("COMMAND") { Description = "The command (and subcommand) to describe", Arity = ArgumentArity.ZeroOrMore };
        var cmd = new Command("help", "Show a command's help: help COMMAND [SUBCOMMAND]") { names };
        cmd.SetAction((p, ct) =>
        {
            Command current = root;
            foreach (var name in p.GetValue(names) ?? [])
            {
                current = current.Subcommands.FirstOrDefault(c => c.Name == name || c.Aliases.Contains(name))
                    ?? throw new VarlorException($"no command '{name}'{(current == root ? "" : $" in '{current.Name}'")}: see --help for the list");
            }
            // Parsing "CMD SUB --help" prints exactly what --help would, through System.CommandLine's own help action.
            var path = new List<string>();
            for (var c = current; c != root && c is not null; c = c.Parents.OfType<Command>().FirstOrDefault()) path.Insert(0, c.Name);
            return root.Parse([.. path, "--help"]).InvokeAsync(cancellationToken: ct);
        });
        return cmd;
    }
}
