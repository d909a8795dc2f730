using System.Runtime.InteropServices;

namespace Varlor.Testing;

/// <summary>
/// PostgreSQL's server tools refuse to run as root. When the tests run as root (CI does), they run as an
/// unprivileged user instead: $VARLOR_PG_OS_USER, else varlortest (.ci/install-deps creates it), else postgres,
/// else nobody, through runuser (or setpriv).
/// </summary>
public static partial class OsUser
{
    public static bool IsRoot => OperatingSystem.IsLinux() && GetEuid() == 0;

    /// <summary>The user to run server tools as, or null when the current user can run them itself.</summary>
    public static string? ServerToolUser { get; } = PickUser();

    /// <summary>Turns "tool args" into "runuser -u USER -- tool args" when needed.</summary>
    public static (string FileName, IReadOnlyList<string> Arguments) Wrap(string tool, IEnumerable<string> arguments)
    {
        if (ServerToolUser is not { } user) return (tool, arguments.ToList());
        var runuser = FindExecutable("runuser");
        if (runuser is not null) return (runuser, ["-u", user, "--", tool, .. arguments]);
        var setpriv = FindExecutable("setpriv")
            ?? throw new InvalidOperationException("running as root, but neither runuser nor setpriv is installed to drop privileges for PostgreSQL");
        var ids = UserIds(user) ?? throw new InvalidOperationException($"user {user} not found in /etc/passwd");
        return (setpriv, [$"--reuid={ids.Uid}", $"--regid={ids.Gid}", "--clear-groups", "--", tool, .. arguments]);
    }

    public static async Task ChownAsync(string path, CancellationToken ct)
    {
        if (ServerToolUser is not { } user) return;
        var r = await ProcessRunner.RunAsync("chown", ["-R", user + ":", path], ct: ct);
        if (r.ExitCode != 0) throw new InvalidOperationException($"chown -R {user} {path} failed: {r.Output}");
    }

    public static string? FindExecutable(string name)
    {
        var path = (Environment.GetEnvironmentVariable("PATH") ?? "") + ":/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
        foreach (var dir in path.Split(':', StringSplitOptions.RemoveEmptyEntries))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate)) return candidate;
        }

        return null;
    }

    private static string? PickUser()
    {
        if (!IsRoot) return null;
        var wanted = Environment.GetEnvironmentVariable("VARLOR_PG_OS_USER");
        if (!string.IsNullOrWhiteSpace(wanted))
            return UserIds(wanted) is not null ? wanted : throw new InvalidOperationException($"VARLOR_PG_OS_USER={wanted} does not exist");
        foreach (var name in new[] { "varlortest", "postgres", "nobody" })
            if (UserIds(name) is not null) return name;
        throw new InvalidOperationException("running as root and no unprivileged user (varlortest, postgres, nobody) exists to run PostgreSQL");
    }

    private static (int Uid, int Gid)? UserIds(string name)
    {
        if (!File.Exists("/etc/passwd")) return null;
        foreach (var line in File.ReadLines("/etc/passwd"))
        {
            var f = line.Split(':');
            if (f.Length > 3 && f[0] == name) return (int.Parse(f[2]), int.Parse(f[3]));
        }

        return null;
    }

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEuid();
}
