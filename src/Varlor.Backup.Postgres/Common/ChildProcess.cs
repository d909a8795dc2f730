using System.Diagnostics;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Postgres.Common;

/// <summary>
/// A PostgreSQL tool run as a child process: arguments as a list (no shell), the PG* environment, stderr kept
/// (its last lines make the error message), stdout and stdin as streams. <see cref="WaitAsync"/> fails with a
/// one-line message when the tool fails or is killed.
/// </summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _stderr = [];
    private readonly Task _stderrPump;
    private readonly string _name;

    private ChildProcess(Process process, string name)
    {
        _process = process;
        _name = name;
        _stderrPump = Task.Run(async () =>
        {
            while (await process.StandardError.ReadLineAsync() is { } line)
                lock (_stderr) { _stderr.Add(line); if (_stderr.Count > 50) _stderr.RemoveAt(0); }
        });
    }

    public Stream StandardOutput => _process.StandardOutput.BaseStream;
    public Stream StandardInput => _process.StandardInput.BaseStream;

    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment, bool redirectInput = false)
    {
        var info = new ProcessStartInfo(fileName)
        {
            UseShellExecute = false, RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true,
        };
        foreach (var a in arguments) info.ArgumentList.Add(a);
        foreach (var (k, v) in environment)
        {
            if (v is null) info.Environment.Remove(k);
            else info.Environment[k] = v;
        }
        var process = new Process { StartInfo = info };
        try
        {
            process.Start();
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            process.Dispose();
            throw new VarlorException($"cannot run {fileName}: {e.Message}", DbExitCodes.ToolFailed);
        }
        if (!redirectInput) process.StandardInput.Close();
        return new ChildProcess(process, Path.GetFileName(fileName));
    }

    /// <summary>Runs a tool to the end and returns its standard output; a failure is a one-line VarlorException.</summary>
    public static async Task<string> RunAsync(string fileName, IEnumerable<string> arguments, IReadOnlyDictionary<string, string?> environment, CancellationToken ct)
    {
        await using var child = Start(fileName, arguments, environment);
        var output = await new StreamReader(child.StandardOutput).ReadToEndAsync(ct);
        await child.WaitAsync(ct);
        return output;
    }

    /// <summary>Waits for the end; throws a one-line error if the tool failed or was killed.</summary>
    public async Task WaitAsync(CancellationToken ct)
    {
        try
        {
            await _process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            Kill();
            throw;
        }
        await _stderrPump;
        if (_process.ExitCode == 0) return;
        var code = _process.ExitCode;
        var how = code > 128 ? $"was killed (signal {code - 128})" : $"failed (exit {code})";
        throw new VarlorException($"{_name} {how}: {LastError()}", DbExitCodes.ToolFailed);
    }

    /// <summary>The tool's most telling stderr line (its first "error:" line, else its last line).</summary>
    public string LastError()
    {
        lock (_stderr)
        {
            var line = _stderr.FirstOrDefault(l => l.Contains("error:", StringComparison.OrdinalIgnoreCase) || l.Contains("FATAL", StringComparison.Ordinal))
                ?? _stderr.LastOrDefault(l => l.Trim().Length > 0) ?? "no message";
            return line.Trim();
        }
    }

    public IReadOnlyList<string> Stderr
    {
        get { lock (_stderr) return [.. _stderr]; }
    }

    public void Kill()
    {
        try { if (!_process.HasExited) _process.Kill(entireProcessTree: true); }
        catch (InvalidOperationException) { }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        try { await _process.WaitForExitAsync(); } catch (InvalidOperationException) { }
        try { await _stderrPump; } catch (IOException) { }
        _process.Dispose();
    }
}
