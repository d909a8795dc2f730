namespace Varlor.Backup.Cli.Tests.Support;

public static class CliAssert
{
    /// <summary>An error is one line on stderr saying "error: ...", with the documented exit code and no stack trace.</summary>
    public static void OneLineError(CliResult r, int exitCode, string mustContain)
    {
        Assert.True(r.ExitCode == exitCode, r.ToString());
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, r.ToString());
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(mustContain, lines[0]);
        Assert.DoesNotContain("   at ", r.Stderr);
    }

    public static void Success(CliResult r) => Assert.True(r.ExitCode == 0, r.ToString());
}
