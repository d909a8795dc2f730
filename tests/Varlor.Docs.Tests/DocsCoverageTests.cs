using Varlor.Docs.Tests.Machine;
using Varlor.Docs.Tests.Markdown;

namespace Varlor.Docs.Tests;

/// <summary>No command in the docs escapes the docs' tests: every block says what it is, and a command block is
/// either run by <see cref="PageCommandTests"/> or explicitly skipped with the reason printed beside it.</summary>
public sealed class DocsCoverageTests
{
    public static readonly string[] RunPages = ["README.md", "docs/operators-guide.md", "docs/server.md"];

    [Fact]
    public void Every_code_block_names_its_language()
    {
        var pages = Directory.GetFiles(Path.Combine(Checkout.Root, "docs"), "*.md").Select(p => Path.GetRelativePath(Checkout.Root, p)).Append("README.md");
        var unnamed = pages.SelectMany(p => MarkdownPage.Blocks(Checkout.Root, p)).Where(b => b.Language.Length == 0).ToList();
        Assert.True(unnamed.Count == 0, "blocks without a language (bash, sh and cron are run; text, ini, sql, json... are not):\n" + string.Join('\n', unnamed));
    }

    [Fact]
    public void Command_blocks_are_run_or_skipped_with_a_reason()
    {
        var blocks = RunPages.SelectMany(p => MarkdownPage.Blocks(Checkout.Root, p)).Where(b => b.IsCommand).ToList();
        Assert.Contains(blocks, b => b.SkipReason is null);
        var unexplained = blocks.Where(b => b.SkipReason is { Length: < 10 }).ToList();
        Assert.True(unexplained.Count == 0, "skipped without a reason:\n" + string.Join('\n', unexplained));
    }

    [Fact]
    public void Other_pages_have_no_shell_blocks_outside_the_tested_pages()
    {
        var others = Directory.GetFiles(Path.Combine(Checkout.Root, "docs"), "*.md").Select(p => Path.GetRelativePath(Checkout.Root, p))
            .Except(RunPages).SelectMany(p => MarkdownPage.Blocks(Checkout.Root, p)).Where(b => b.IsCommand && b.SkipReason is null).ToList();
        Assert.True(others.Count == 0, "command blocks on pages the docs tests do not run (add the page to RunPages):\n" + string.Join('\n', others));
    }
}
