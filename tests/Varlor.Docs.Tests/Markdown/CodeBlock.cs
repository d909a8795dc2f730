namespace Varlor.Docs.Tests.Markdown;

/// <summary>
/// One fenced code block of a Markdown page: where it starts (1-based line of the opening fence), its info
/// string's language, its text, the heading it stands under, and the reason given in a
/// <c>&lt;!-- docs-test: skip REASON --&gt;</c> comment right above it, if any.
/// </summary>
public sealed record CodeBlock(string Page, int Line, string Language, string Text, string Heading, string? SkipReason)
{
    /// <summary>Blocks an operator runs: shell commands (pasted into a terminal) and crontab lines.</summary>
    public bool IsCommand => Language is "bash" or "sh" or "cron";

    /// <summary>How <c>machine.sh</c> runs it: a shell session step or crontab lines.</summary>
    public string StepKind => Language == "cron" ? "cron" : "bash";

    public override string ToString() => $"{Page}:{Line} ({Heading})";
}
