using System.CommandLine;
using Varlor.Backup.Repository.Snapshots;

namespace Varlor.Backup.Cli.Commands;

/// <summary>
/// --tag, --host, --path: the one set of snapshot filters of every command that names or selects snapshots (restore,
/// ls, diff, db restore, copy, snapshots, check --max-age). They choose what 'latest' means, restic's way.
/// </summary>
public sealed class SnapshotFilterOptions
{
    public Option<string[]> Tags { get; } = new("--tag")
    {
        Description = "Only snapshots with this tag (repeatable, or a,b: all of them)", HelpName = "TAG",
    };

    public Option<string?> Host { get; } = new("--host") { Description = "Only snapshots of this host", HelpName = "HOST" };

    public Option<string[]> Paths { get; } = new("--path")
    {
        Description = "Only snapshots that backed up this path (repeatable: all of them; the snapshot may hold more)", HelpName = "PATH",
    };

    public void AddTo(Command cmd)
    {
        cmd.Options.Add(Tags);
        cmd.Options.Add(Host);
        cmd.Options.Add(Paths);
    }

    public SnapshotFilter Get(ParseResult p) => new()
    {
        Tags = [.. (p.GetValue(Tags) ?? []).SelectMany(t => t.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))],
        Host = p.GetValue(Host),
        Paths = p.GetValue(Paths) ?? [],
    };
}
