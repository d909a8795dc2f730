using System.ComponentModel;
using System.Diagnostics;
using System.Text;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Cli.Terminal;

/// <summary>
/// Passwords come from a file, a command, an environment variable, or a prompt on a terminal; never from arguments.
/// For a prefix P (VARLOR, VARLOR_FROM, VARLOR_NEW) the first that is set wins: the command's file option,
/// P_PASSWORD_FILE, P_PASSWORD_COMMAND, P_PASSWORD, then a prompt. What is named on the command line beats the
/// environment; a file or command beats the password itself because it is the more deliberate, safer setting
/// (an environment file that names a file should not be overridden by a stray exported password).
/// </summary>
public static class PasswordSource
{
    public static string Get(string? file, string prefix, string option, string prompt, bool confirm)
    {
        if (file is not null) return FromFile(file);
        if (Variable(prefix + "_PASSWORD_FILE") is { } envFile) return FromFile(envFile);
        if (Variable(prefix + "_PASSWORD_COMMAND") is { } command) return FromCommand(command, prefix + "_PASSWORD_COMMAND");
        if (Variable(prefix + "_PASSWORD") is { } password) return password;
        if (Console.IsInputRedirected || Console.IsErrorRedirected)
            throw new VarlorException($"no password given: use {option}, or set {prefix}_PASSWORD_FILE, {prefix}_PASSWORD_COMMAND or {prefix}_PASSWORD, or run on a terminal to be asked");
        var typed = Prompt(prompt);
        if (confirm && Prompt("enter the same password again: ") != typed)
            throw new VarlorException("the passwords do not match");
        if (typed.Length == 0) throw new VarlorException("an empty password is not allowed");
        return typed;
    }

    private static string? Variable(string name) => Environment.GetEnvironmentVariable(name) is { Length: > 0 } v ? v : null;

    private static string FromFile(string file)
    {
        string text;
        try { text = File.ReadAllText(file); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new VarlorException($"cannot read password file {file}: {e.Message}"); }
        return FirstLine(text) ?? throw new VarlorException($"password file {file} is empty");
    }

    /// <summary>
    /// Runs the command through /bin/sh -c (as cron and systemd users write it: pipes, quotes, $HOME), with our stdin
    /// and stderr, so a pinentry or an error message reaches the operator; the first line of its stdout is the password.
    /// The command itself is never printed (it may embed a token), only the variable that holds it.
    /// </summary>
    private static string FromCommand(string command, string variable)
    {
        var info = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, UseShellExecute = false };
        info.ArgumentList.Add("-c");
        info.ArgumentList.Add(command);
        string stdout;
        int exitCode;
        try
        {
            using var process = Process.Start(info)!;
            stdout = process.StandardOutput.ReadToEnd();
            process.WaitForExit();
            exitCode = process.ExitCode;
        }
        catch (Win32Exception e) { throw new VarlorException($"{variable}: cannot run /bin/sh: {e.Message}"); }
        if (exitCode != 0) throw new VarlorException($"{variable} failed (exit code {exitCode}); its own messages are above");
        return FirstLine(stdout) ?? throw new VarlorException($"{variable} printed no password (its first line of output is empty)");
    }

    private static string? FirstLine(string text) => text.Split('\n')[0].TrimEnd('\r') is { Length: > 0 } line ? line : null;

    private static string Prompt(string prompt)
    {
        Console.Error.Write(prompt);
        var sb = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter) break;
            if (key.Key == ConsoleKey.Backspace) { if (sb.Length > 0) sb.Length--; continue; }
            if (!char.IsControl(key.KeyChar)) sb.Append(key.KeyChar);
        }
        Console.Error.WriteLine();
        return sb.ToString();
    }
}
