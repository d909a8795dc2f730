using Varlor.Backup.Repository;

namespace Varlor.Backup.Postgres.Common;

/// <summary>The operating-system user PostgreSQL runs as when varlor-backup runs as root (PostgreSQL refuses root).</summary>
public static class OsAccount
{
    public static bool IsRoot => Environment.UserName == "root";

    public static async Task<bool> ExistsAsync(string user, CancellationToken ct)
    {
        try
        {
            await ChildProcess.RunAsync("id", ["-u", user], new Dictionary<string, string?>(), ct);
            return true;
        }
        catch (VarlorException)
        {
            return false;
        }
    }

    /// <summary>--os-user, else postgres; an error when that user does not exist.</summary>
    public static async Task<string> ServerUserAsync(string? asked, CancellationToken ct)
    {
        var user = asked ?? "postgres";
        if (await ExistsAsync(user, ct)) return user;
        throw new VarlorException(asked is null
            ? "PostgreSQL does not run as root and there is no user 'postgres': add --os-user USER to run the server as"
            : $"--os-user {user}: no such user");
    }

    /// <summary>chown -R USER: (the user's own group).</summary>
    public static Task ChownAsync(string path, string user, CancellationToken ct) =>
        ChildProcess.RunAsync("chown", ["-R", user + ":", path], new Dictionary<string, string?>(), ct);
}
