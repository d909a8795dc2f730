using Varlor.Backup.Cli.Tests.Support;
using Varlor.Testing;

namespace Varlor.Backup.Cli.Tests.Install;

/// <summary>
/// The checkout's launchers (./varlor-backup, ./varlor-server) on a stub checkout: the real scripts, fake sources,
/// a fake built program and a fake `dotnet` that records every call. A symlink to a launcher runs the checkout's
/// build; only the checkout's owner builds; anyone else (PostgreSQL's archive_command as postgres) runs the build
/// there is, with a warning when it is stale, or gets one line saying what to run.
/// </summary>
public sealed class LauncherTests : IDisposable
{
    private readonly string _root = Path.Combine("/tmp", "varlor-launcher-" + Guid.NewGuid().ToString("N")[..10]);
    private string Checkout_ => Path.Combine(_root, "checkout");
    private string DotnetLog => Path.Combine(_root, "log", "dotnet-calls");
    private string BackupExe => Path.Combine(Checkout_, "artifacts", "install", "varlor-backup", "varlor-backup");

    public LauncherTests()
    {
        foreach (var dir in new[] { "checkout/src/Varlor.Backup", "checkout/src/Varlor.Backup.Cli", "checkout/src/Varlor.Server",
                     "checkout/artifacts/install/varlor-backup", "checkout/artifacts/varlor-server", "fakebin", "log", "elsewhere" })
            Directory.CreateDirectory(Path.Combine(_root, dir));
        File.SetUnixFileMode(Path.Combine(_root, "log"), (UnixFileMode)0x1FF); // whoever runs the fake dotnet logs there
        foreach (var launcher in new[] { "varlor-backup", "varlor-server" })
            File.Copy(Path.Combine(Checkout.Root, launcher), Path.Combine(Checkout_, launcher));
        foreach (var file in new[] { "src/Varlor.Backup/A.cs", "src/Varlor.Backup.Cli/B.cs", "src/Varlor.Server/C.cs", "Directory.Build.props", "Directory.Packages.props", "global.json" })
            File.WriteAllText(Path.Combine(Checkout_, file), "");
        Script(BackupExe, "echo \"stub varlor-backup ran as $(id -u): $*\"");
        File.WriteAllText(Path.Combine(Checkout_, "artifacts/varlor-server/varlor-server.dll"), "");
        Script(Path.Combine(_root, "fakebin", "dotnet"), $"echo \"$*\" >> {DotnetLog}\ncase \"$1\" in *.dll) echo \"stub varlor-server ran: $*\" ;; esac");
        // The builds are newer than their sources until a test says otherwise.
        var past = DateTime.UtcNow.AddHours(-1);
        foreach (var f in Directory.GetFiles(Path.Combine(Checkout_, "src"), "*", SearchOption.AllDirectories).Concat(Directory.GetFiles(Checkout_)))
            File.SetLastWriteTimeUtc(f, past);
    }

    private static void Script(string path, string body)
    {
        File.WriteAllText(path, "#!/bin/sh\n" + body + "\n");
        File.SetUnixFileMode(path, (UnixFileMode)0x1ED);
    }

    private void SourcesChanged() => File.SetLastWriteTimeUtc(Path.Combine(Checkout_, "src/Varlor.Backup.Cli/B.cs"), DateTime.UtcNow.AddMinutes(5));

    private string[] DotnetCalls => File.Exists(DotnetLog) ? File.ReadAllLines(DotnetLog) : [];

    private Task<ProcessResult> RunAsync(string program, string? user, params string[] args)
    {
        var env = new Dictionary<string, string> { ["PATH"] = Path.Combine(_root, "fakebin") + ":/usr/bin:/bin" };
        if (user is null) return ProcessRunner.RunAsync(program, args, env, timeout: TimeSpan.FromMinutes(1));
        // As another user, with our PATH kept (the fake dotnet must be the one found, should the launcher try to build).
        return ProcessRunner.RunAsync("setpriv", ["--reuid=" + user, "--regid=" + user, "--clear-groups", "--", "env", "PATH=" + env["PATH"], program, .. args],
            timeout: TimeSpan.FromMinutes(1));
    }

    [Fact]
    public async Task A_symlink_to_the_launcher_runs_the_checkouts_build()
    {
        var link = Path.Combine(_root, "elsewhere", "varlor-backup");
        File.CreateSymbolicLink(link, Path.Combine(Checkout_, "varlor-backup"));
        var r = await RunAsync(link, null, "--version");
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("stub varlor-backup ran", r.StandardOutput);
        Assert.Equal("", r.StandardError);

        var serverLink = Path.Combine(_root, "elsewhere", "varlor-server");
        File.CreateSymbolicLink(serverLink, Path.Combine(Checkout_, "varlor-server"));
        r = await RunAsync(serverLink, null, "--help");
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("stub varlor-server ran", r.StandardOutput);
    }

    [Fact]
    public async Task The_owner_rebuilds_when_a_source_is_newer()
    {
        SourcesChanged();
        var r = await RunAsync(Path.Combine(Checkout_, "varlor-backup"), null, "--version");
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains(DotnetCalls, c => c.StartsWith("publish ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Another_user_with_changed_sources_runs_the_existing_build_with_one_warning_and_never_builds()
    {
        if (OsUser.ServerToolUser is not { } user) return; // only root can run a program as another user (CI runs as root)
        SourcesChanged();
        var r = await RunAsync(Path.Combine(Checkout_, "varlor-backup"), user, "wal", "push", "x");
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.Contains("stub varlor-backup ran as", r.StandardOutput);
        Assert.DoesNotContain("ran as 0:", r.StandardOutput);
        var warning = Assert.Single(r.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("warning: ", warning);
        Assert.Contains("--version", warning);
        Assert.Empty(DotnetCalls);

        File.SetLastWriteTimeUtc(Path.Combine(Checkout_, "src/Varlor.Server/C.cs"), DateTime.UtcNow.AddMinutes(5));
        r = await RunAsync(Path.Combine(Checkout_, "varlor-server"), user, "--help");
        Assert.True(r.ExitCode == 0, r.Output);
        Assert.StartsWith("warning: ", Assert.Single(r.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries)));
        Assert.DoesNotContain(DotnetCalls, c => c.StartsWith("build ", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Another_user_without_a_build_gets_one_line_saying_what_to_run()
    {
        if (OsUser.ServerToolUser is not { } user) return; // only root can run a program as another user (CI runs as root)
        File.Delete(BackupExe);
        var r = await RunAsync(Path.Combine(Checkout_, "varlor-backup"), user, "--version");
        Assert.Equal(1, r.ExitCode);
        var line = Assert.Single(r.StandardError.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.StartsWith("error: varlor-backup is not built", line);
        Assert.Contains("./install", line);
        Assert.Empty(DotnetCalls);
    }

    public void Dispose()
    {
        try { Directory.Delete(_root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
