using System.CommandLine;
using Varlor.Backup.Cli.Terminal;
using Varlor.Backup.Repository;
using Varlor.Backup.Storage;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Cli.Commands;

/// <summary>Options every command takes, and how a command opens the repository they name.</summary>
public static class GlobalOptions
{
    public static readonly Option<string?> Repo = new("--repo", "-r")
    {
        Description = "Repository location (default: $VARLOR_REPOSITORY)",
        Recursive = true,
    };

    public static readonly Option<string?> PasswordFile = new("--password-file")
    {
        Description = "Read the repository password from this file (default: $VARLOR_PASSWORD, else ask on a terminal)",
        Recursive = true,
    };

    public static readonly Option<bool> Json = new("--json") { Description = "Print machine-readable JSON", Recursive = true };
    public static readonly Option<bool> Quiet = new("--quiet", "-q") { Description = "Print only results and errors", Recursive = true };

    public static void AddTo(RootCommand root)
    {
        root.Options.Add(Repo);
        root.Options.Add(PasswordFile);
        root.Options.Add(Json);
        root.Options.Add(Quiet);
    }

    public static Output Output(ParseResult p) => new(p.GetValue(Json), p.GetValue(Quiet));

    public static IStorageBackend Backend(ParseResult p)
    {
        var location = p.GetValue(Repo) ?? Environment.GetEnvironmentVariable("VARLOR_REPOSITORY");
        if (string.IsNullOrWhiteSpace(location))
            throw new VarlorException("no repository given: use --repo or set VARLOR_REPOSITORY");
        return new LocalBackend(location);
    }

    public static string Password(ParseResult p, bool confirm = false) =>
        PasswordSource.Get(p.GetValue(PasswordFile), "VARLOR_PASSWORD", "enter password for repository: ", confirm);

    public static async Task<Repo> OpenAsync(ParseResult p, CancellationToken ct)
    {
        var backend = Backend(p);
        if (!await backend.ExistsAsync(FileKind.Config, "config", ct)) throw new RepositoryNotFoundException(backend.Location);
        return await Repository.Repository.OpenAsync(backend, Password(p), ct);
    }
}
