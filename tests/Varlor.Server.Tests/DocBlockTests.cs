using System.Text.RegularExpressions;
using Varlor.Testing;

namespace Varlor.Server.Tests;

/// <summary>
/// The server's command blocks in README.md and docs/server.md, run exactly as written on a fresh, empty database
/// (Support/run-doc-block.sh: a private network namespace with PostgreSQL on 127.0.0.1:5432, the real launcher).
/// </summary>
public sealed partial class DocBlockTests
{
    [GeneratedRegex("```sh\n(.*?)```", RegexOptions.Singleline)]
    private static partial Regex ShellBlock();

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Varlor.slnx"))) return dir.FullName;
        throw new InvalidOperationException("repository root (Varlor.slnx) not found above the test binaries");
    }

    /// <summary>The first sh block after the heading.</summary>
    private static string Block(string file, string heading)
    {
        var text = File.ReadAllText(Path.Combine(RepositoryRoot(), file));
        var at = text.IndexOf(heading, StringComparison.Ordinal);
        Assert.True(at >= 0, $"{file} has no heading '{heading}'");
        return ShellBlock().Match(text, at).Groups[1].Value;
    }

    private static async Task<ProcessResult> RunAsync(string block)
    {
        Assert.True(OsUser.IsRoot, "running a docs block needs root (a private network namespace for its fixed ports)");
        var file = Path.Combine(Path.GetTempPath(), $"varlor-doc-block-{Guid.NewGuid():N}.sh");
        await File.WriteAllTextAsync(file, block);
        try
        {
            var repo = RepositoryRoot();
            return await ProcessRunner.RunAsync(Path.Combine(repo, "tests/Varlor.Server.Tests/Support/run-doc-block.sh"), [repo, file],
                timeout: TimeSpan.FromMinutes(8));
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public async Task The_README_quick_start_works_on_an_empty_database_with_tenant_add_first()
    {
        var block = Block("README.md", "## The data-import service");
        Assert.Contains("tenant add acme", block, StringComparison.Ordinal);
        Assert.True(block.IndexOf("tenant add", StringComparison.Ordinal) < block.IndexOf(" run ", StringComparison.Ordinal),
            "the README runs tenant add before run");
        var result = await RunAsync(block);
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("\"originalFileName\":\"sales.csv\"", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("\"rowCount\":1", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("\"status\":\"ready\"", result.StandardOutput, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_running_it_block_of_docs_server_md_works_as_written()
    {
        var result = await RunAsync(Block("docs/server.md", "## Running it"));
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Contains("\"status\":\"healthy\"", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("\"name\":\"Q1 sales\"", result.StandardOutput, StringComparison.Ordinal);
        Assert.Contains("\"rowCount\":3", result.StandardOutput, StringComparison.Ordinal);
    }
}
