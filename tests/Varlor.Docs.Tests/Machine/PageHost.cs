using Varlor.Docs.Tests.Markdown;

namespace Varlor.Docs.Tests.Machine;

/// <summary>One throw-away host per page, started on first use and shared by that page's block tests.</summary>
public abstract class PageHost(string page, string profile)
{
    private readonly Lazy<Task<PageRun>> _run = new(() => DocsMachine.RunAsync(page, profile));

    public string Page => page;

    public Task<PageRun> Run => _run.Value;

    /// <summary>The page's command blocks that run (those not marked skipped), as theory data: line and heading.</summary>
    public static TheoryData<int, string> CommandBlocks(string page)
    {
        var data = new TheoryData<int, string>();
        foreach (var b in MarkdownPage.Blocks(Checkout.Root, page).Where(b => b.IsCommand && b.SkipReason is null))
            data.Add(b.Line, b.Heading);
        return data;
    }

    /// <summary>Asserts that the block at <paramref name="line"/> ran on the host and exited 0.</summary>
    public async Task AssertBlockRunsAsync(int line, string heading)
    {
        var block = MarkdownPage.Blocks(Checkout.Root, page).Single(b => b.Line == line);
        Assert.Equal(heading, block.Heading);
        var result = (await Run).For(block);
        Assert.True(result.ExitCode == 0, $"{block} exited {result.ExitCode}\n--- block ---\n{block.Text}--- output ---\n{result.Output}");
    }
}

public sealed class ReadmeHost() : PageHost("README.md", "bare");

public sealed class OperatorsGuideHost() : PageHost("docs/operators-guide.md", "production");

public sealed class ServerDocHost() : PageHost("docs/server.md", "database");
