using System.CommandLine;
using Varlor.Backup.Cli.Terminal;
using Varlor.Backup.Repository;
using Varlor.Backup.Storage;
using Varlor.Backup.Storage.S3;
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
        Description = "Read the repository password from this file (default: $VARLOR_PASSWORD_FILE, $VARLOR_PASSWORD_COMMAND, $VARLOR_PASSWORD, else ask on a terminal)",
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
        return Backend(location);
    }

    /// <summary><c>s3:…</c> is an S3 bucket (behind the retry decorator); anything else a local folder.</summary>
    public static IStorageBackend Backend(string location)
    {
        if (!S3Location.IsS3(location)) return new LocalBackend(location);
        var backend = S3BackendFactory.Create(location, out var s3);
        lock (Requests) Requests.Add(s3.Requests);
        return backend;
    }

    /// <summary>Counters of the S3 backends this process opened; <see cref="RequestCount"/> sums them.</summary>
    private static readonly List<RequestCounter> Requests = [];

    /// <summary>HTTP requests sent to object stores by this process so far (0 for local repositories).</summary>
    public static long RequestCount
    {
        get { lock (Requests) return Requests.Sum(r => r.Total); }
    }

    public static string Password(ParseResult p, bool confirm = false) =>
        PasswordSource.Get(p.GetValue(PasswordFile), "VARLOR", "--password-file", "enter password for repository: ", confirm);

    public static async Task<Repo> OpenAsync(ParseResult p, CancellationToken ct)
    {
        // No existence check first: opening reads the config before asking for the password, and a missing
        // config is "not found" (a request less per command on an object store).
        return await OpenAsync(p, Backend(p), ct);
    }

    /// <summary>Opens the repository on a backend the command already made (e.g. to look before paying the key derivation).</summary>
    public static Task<Repo> OpenAsync(ParseResult p, IStorageBackend backend, CancellationToken ct) =>
        Repository.Repository.OpenAsync(backend, () => Password(p), ct);
}
