using System.Diagnostics;
using Varlor.Testing;

namespace Varlor.Backup.Cli.Tests.Support;

public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
}

/// <summary>Runs the real varlor-backup program (built beside the tests) as a child process, as a user would.</summary>
public sealed class CliHarness : IDisposable
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "varlor-backup.dll");
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "varlor-cli-" + Guid.NewGuid().ToString("N")[..10]);
    /// <summary>The repository the program uses (VARLOR_REPOSITORY of <see cref="Env"/>).</summary>
    public string Repo => Env["VARLOR_REPOSITORY"]!;
    public Dictionary<string, string?> Env { get; } = new();
    /// <summary>The folder the program starts in (relative paths on its command line are taken from there); null: the tests'.</summary>
    public string? WorkingDirectory { get; set; }

    public CliHarness()
    {
        Directory.CreateDirectory(Root);
        Env["VARLOR_REPOSITORY"] = Path.Combine(Root, "repo");
        Env["VARLOR_PASSWORD"] = "cli test password";
        Env["VARLOR_KDF_MEMORY_KIB"] = "8192";
    }

    public string Path_(string relative) => Path.Combine(Root, relative);

    public ProcessStartInfo StartInfo(IEnumerable<string> args, string? asUser = null)
    {
        var psi = new ProcessStartInfo { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, WorkingDirectory = WorkingDirectory ?? "" };
        if (asUser is not null)
        {
            // Drop root's privileges so that file permissions apply (root reads everything).
            psi.FileName = "setpriv";
            foreach (var a in new[] { "--reuid=" + asUser, "--regid=" + asUser, "--clear-groups", "dotnet", SharedProgram.Dll() }) psi.ArgumentList.Add(a);
            foreach (var (k, v) in SharedProgram.Environment) psi.Environment[k] = v;
        }
        else
        {
            psi.FileName = "dotnet";
            psi.ArgumentList.Add(Dll);
        }
        foreach (var a in args) psi.ArgumentList.Add(a);
        psi.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        foreach (var (k, v) in Env) psi.Environment[k] = v;
        return psi;
    }

    public async Task<CliResult> RunAsync(params string[] args) => await RunAsAsync(null, args);

    public async Task<CliResult> RunAsAsync(string? user, params string[] args)
    {
        using var p = Process.Start(StartInfo(args, user))!;
        p.StandardInput.Close();
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await p.WaitForExitAsync(cts.Token);
        return new CliResult(p.ExitCode, await stdout, await stderr);
    }

    public void Dispose()
    {
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
