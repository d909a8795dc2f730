using System.Text;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Cli.Terminal;

/// <summary>Passwords come from an environment variable, a file, or a prompt on a terminal; never from arguments.</summary>
public static class PasswordSource
{
    public static string Get(string? file, string envVar, string prompt, bool confirm)
    {
        var fromEnv = Environment.GetEnvironmentVariable(envVar);
        if (!string.IsNullOrEmpty(fromEnv)) return fromEnv;
        if (file is not null)
        {
            string text;
            try { text = File.ReadAllText(file); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { throw new VarlorException($"cannot read password file {file}: {e.Message}"); }
            var line = text.Split('\n')[0].TrimEnd('\r');
            return line.Length > 0 ? line : throw new VarlorException($"password file {file} is empty");
        }
        if (Console.IsInputRedirected || Console.IsErrorRedirected)
            throw new VarlorException($"no password given: set {envVar}, use a password file option, or run on a terminal to be asked");
        var password = Prompt(prompt);
        if (confirm && Prompt("enter the same password again: ") != password)
            throw new VarlorException("the passwords do not match");
        if (password.Length == 0) throw new VarlorException("an empty password is not allowed");
        return password;
    }

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
