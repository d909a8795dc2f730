using Varlor.Backup.Cli.Tests.Support;
using Varlor.Testing;

namespace Varlor.Backup.Cli.Tests.Install;

/// <summary>
/// ./install into a throw-away prefix, for real: the installed programs run as another OS user (as PostgreSQL's
/// archive_command runs varlor-backup) from any folder, an upgrade switches to a new release whole, --uninstall
/// removes what install made. The publish costs about a minute per program the first time; later runs of the
/// install script reuse it while the sources are unchanged, so this class publishes at most once.
/// </summary>
public sealed class InstallTests : IDisposable
{
    private readonly string _prefix = Path.Combine("/tmp", "varlor-prefix-" + Guid.NewGuid().ToString("N")[..10]);
    private string Bin(string program) => Path.Combine(_prefix, "bin", program);
    private string Current => Path.Combine(_prefix, "lib", "varlor", "current");

    private async Task<ProcessResult> InstallAsync(params string[] args)
    {
        var r = await ProcessRunner.RunAsync(Path.Combine(Checkout.Root, "install"), ["--prefix", _prefix, .. args], timeout: TimeSpan.FromMinutes(10));
        Assert.True(r.ExitCode == 0, r.Output);
        return r;
    }

    /// <summary>As the unprivileged test user when running as root (CI), in a folder of no importance, with cron's bare PATH.</summary>
    private static Task<ProcessResult> RunAsync(string program, IReadOnlyDictionary<string, string> env, params string[] args)
    {
        string[] envArgs = ["env", "-i", "PATH=/usr/bin:/bin", .. env.Select(kv => $"{kv.Key}={kv.Value}")];
        var (file, wrapped) = OsUser.Wrap(envArgs[0], [.. envArgs[1..], program, .. args]);
        return ProcessRunner.RunAsync(file, wrapped, workingDirectory: "/", timeout: TimeSpan.FromMinutes(2));
    }

    [Fact]
    public async Task Installed_programs_run_as_another_user_and_an_upgrade_switches_releases_whole()
    {
        await InstallAsync();
        var first = File.ResolveLinkTarget(Current, returnFinalTarget: false)!.ToString();

        var repo = Path.Combine(_prefix, "repo");
        Directory.CreateDirectory(repo);
        await OsUser.ChownAsync(repo, default);
        var env = new Dictionary<string, string> { ["VARLOR_REPOSITORY"] = repo, ["VARLOR_PASSWORD"] = "install test", ["VARLOR_KDF_MEMORY_KIB"] = "8192" };
        var version = await RunAsync(Bin("varlor-backup"), env, "--version");
        Assert.True(version.ExitCode == 0, version.Output);
        var init = await RunAsync(Bin("varlor-backup"), env, "init");
        Assert.True(init.ExitCode == 0, init.Output);
        var snapshots = await RunAsync(Bin("varlor-backup"), env, "snapshots", "--json");
        Assert.True(snapshots.ExitCode == 0, snapshots.Output);
        var server = await RunAsync(Bin("varlor-server"), env, "--help");
        Assert.True(server.ExitCode == 0, server.Output);
        Assert.Contains("usage: varlor-server", server.Output);

        // An upgrade: a new release, the link switched, the previous release kept for commands still running from it.
        var again = await InstallAsync();
        Assert.Contains("up to date", again.StandardError);
        var second = File.ResolveLinkTarget(Current, returnFinalTarget: false)!.ToString();
        Assert.NotEqual(first, second);
        Assert.True(Directory.Exists(Path.Combine(_prefix, "lib", "varlor", first)));
        Assert.Equal(0, (await RunAsync(Bin("varlor-backup"), env, "snapshots")).ExitCode);
        await InstallAsync();
        Assert.False(Directory.Exists(Path.Combine(_prefix, "lib", "varlor", first)), "releases older than the previous one are removed");
        Assert.Equal(2, Directory.GetDirectories(Path.Combine(_prefix, "lib", "varlor", "releases")).Length);

        await InstallAsync("--uninstall");
        Assert.False(File.Exists(Bin("varlor-backup")) || File.Exists(Bin("varlor-server")));
        Assert.False(Directory.Exists(Path.Combine(_prefix, "lib", "varlor")));
    }

    public void Dispose()
    {
        try { Directory.Delete(_prefix, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
