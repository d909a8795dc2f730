namespace Varlor.Docs.Tests.Markdown;

/// <summary>The fenced code blocks of a Markdown file, in order (CommonMark's ``` and ~~~ fences).</summary>
public static class MarkdownPage
{
    private const string SkipMarker = "<!-- docs-test: skip ";

    public static IReadOnlyList<CodeBlock> Blocks(string root, string page)
    {
        var lines = File.ReadAllLines(Path.Combine(root, page));
        var blocks = new List<CodeBlock>();
        var heading = "";
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i];
            if (line.StartsWith('#')) { heading = line.TrimStart('#').Trim(); continue; }
            var trimmed = line.TrimStart();
            if (!trimmed.StartsWith("```", StringComparison.Ordinal) && !trimmed.StartsWith("~~~", StringComparison.Ordinal)) continue;
            var fence = trimmed[..3];
            var indent = line.Length - trimmed.Length;
            var language = trimmed[3..].Trim().Split(' ', 2)[0];
            var start = i;
            var body = new List<string>();
            for (i++; i < lines.Length && !lines[i].TrimStart().StartsWith(fence, StringComparison.Ordinal); i++)
                body.Add(lines[i].Length >= indent && string.IsNullOrWhiteSpace(lines[i][..indent]) ? lines[i][indent..] : lines[i].TrimStart());
            string? skip = null;
            var above = start > 0 ? lines[start - 1].Trim() : "";
            if (above.StartsWith(SkipMarker, StringComparison.Ordinal) && above.EndsWith("-->", StringComparison.Ordinal))
                skip = above[SkipMarker.Length..^3].Trim();
            blocks.Add(new CodeBlock(page, start + 1, language, string.Join('\n', body) + "\n", heading, skip));
        }

        return blocks;
    }
}
