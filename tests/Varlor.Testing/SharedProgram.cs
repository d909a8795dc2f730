using System.Security.Cryptography;
using System.Text;

namespace Varlor.Testing;

/// <summary>
/// The program under test where another OS user can run it. Tests that run as root hand the program to an
/// unprivileged user (PostgreSQL's archive_command and restore_command, a user who cannot read a source file); the
/// test build lives in the clone, which may sit in a folder only root can enter (/root, a mktemp -d folder), and then
/// that user fails with "realpath(...varlor-backup.dll) failed: Permission denied". So the build folder is copied,
/// once per build, to /tmp/varlor-test-bin-HASH (folders 0755, files 0644), and the child gets a DOTNET_CLI_HOME it
/// can use. When the tests do not run as root nothing runs as another user, and the build folder is used as it is.
/// </summary>
public static class SharedProgram
{
    private static readonly Lazy<string> Shared = new(CopyOnce);

    /// <summary>The folder holding the program (and everything it loads), readable by every user.</summary>
    public static string Folder => Shared.Value;

    /// <summary>The path of NAME.dll in <see cref="Folder"/> (run it with `dotnet`).</summary>
    public static string Dll(string name = "varlor-backup") => Path.Combine(Folder, name + ".dll");

    /// <summary>Variables a child run as another user needs: a home for the dotnet host it can write to.</summary>
    public static IReadOnlyDictionary<string, string> Environment => new Dictionary<string, string>
    {
        ["DOTNET_CLI_HOME"] = Home, ["DOTNET_NOLOGO"] = "1", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
    };

    /// <summary><see cref="Environment"/> as `NAME=value ` words to put before a command line (archive_command).</summary>
    public static string EnvironmentPrefix => string.Concat(Environment.Select(kv => $"{kv.Key}={kv.Value} "));

    private static string Home => OsUser.IsRoot ? Folder + "-home" : System.Environment.GetEnvironmentVariable("HOME") ?? Path.GetTempPath();

    private static string CopyOnce()
    {
        var source = AppContext.BaseDirectory.TrimEnd('/');
        if (!OsUser.IsRoot) return source;
        var files = Directory.GetFiles(source, "*", SearchOption.AllDirectories).Order(StringComparer.Ordinal).ToList();
        // Named after the build's content (paths, sizes, times): a rebuild gets a new folder, parallel test projects
        // of one build share one, and a folder is complete once it has its name.
        var listing = new StringBuilder(source);
        foreach (var f in files) listing.Append('\n').Append(f).Append(' ').Append(new FileInfo(f).Length).Append(' ').Append(File.GetLastWriteTimeUtc(f).Ticks);
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(listing.ToString())))[..16];
        var target = Path.Combine("/tmp", "varlor-test-bin-" + hash);
        EnsureHome(target + "-home");
        RemoveOldCopies(target);
        if (Directory.Exists(target)) return target;
        var temp = $"{target}.tmp-{Guid.NewGuid():N}";
        foreach (var f in files)
        {
            var to = Path.Combine(temp, Path.GetRelativePath(source, f));
            Directory.CreateDirectory(Path.GetDirectoryName(to)!);
            File.Copy(f, to);
            File.SetUnixFileMode(to, (UnixFileMode)0x1A4); // 0644
        }
        foreach (var d in Directory.GetDirectories(temp, "*", SearchOption.AllDirectories).Append(temp))
            File.SetUnixFileMode(d, (UnixFileMode)0x1ED); // 0755
        try { Directory.Move(temp, target); }
        catch (IOException) when (Directory.Exists(target)) { Directory.Delete(temp, recursive: true); } // another test process won
        return target;
    }

    /// <summary>Copies of earlier builds, a day old: no test run still uses them (a run takes minutes).</summary>
    private static void RemoveOldCopies(string keep)
    {
        foreach (var dir in Directory.GetDirectories("/tmp", "varlor-test-bin-*"))
        {
            if (dir.StartsWith(keep, StringComparison.Ordinal) || Directory.GetLastWriteTimeUtc(dir) > DateTime.UtcNow.AddDays(-1)) continue;
            try { Directory.Delete(dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    private static void EnsureHome(string home)
    {
        Directory.CreateDirectory(home);
        File.SetUnixFileMode(home, (UnixFileMode)0x3FF); // 1777, like /tmp: whichever user runs the program can write
    }
}
