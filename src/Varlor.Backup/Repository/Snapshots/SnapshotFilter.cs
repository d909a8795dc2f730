namespace Varlor.Backup.Repository.Snapshots;

/// <summary>
/// Which snapshots a command considers, restic's way: every tag given (all of them), the host, every path given (the
/// snapshot's paths contain each of them; it may hold more), a time range, and a kind ('db restore latest' means the
/// latest dump). Used by 'latest' and by commands that select many snapshots (copy, snapshots).
/// </summary>
public sealed record SnapshotFilter
{
    public IReadOnlyList<string> Tags { get; init; } = [];
    public string? Host { get; init; }
    public IReadOnlyList<string> Paths { get; init; } = [];
    /// <summary>Only snapshots taken at or after this time.</summary>
    public DateTimeOffset? Since { get; init; }
    /// <summary>Only snapshots taken before this time.</summary>
    public DateTimeOffset? Until { get; init; }
    public SnapshotKind? Kind { get; init; }

    public static readonly SnapshotFilter None = new();

    /// <summary>True when nothing but the kind narrows the selection (the user gave no filter).</summary>
    public bool IsEmpty => Tags.Count == 0 && Host is null && Paths.Count == 0 && Since is null && Until is null;

    public bool Matches(Snapshot s) =>
        (Host is null || s.Hostname == Host) &&
        (Since is null || s.Time >= Since) && (Until is null || s.Time < Until) &&
        Tags.All(s.Tags.Contains) &&
        Paths.All(p => s.Paths.Contains(Normalize(p))) &&
        (Kind is null || SnapshotKinds.Of(s) == Kind);

    /// <summary>"--tag db --host web1", for messages (the kind is said by the noun: "no database dump matches ...").</summary>
    public override string ToString()
    {
        var parts = Tags.Select(t => "--tag " + t).Concat(Paths.Select(p => "--path " + p)).ToList();
        if (Host is not null) parts.Add("--host " + Host);
        if (Since is not null) parts.Add("--since " + Since.Value.ToString("O"));
        if (Until is not null) parts.Add("--until " + Until.Value.ToString("O"));
        return string.Join(" ", parts);
    }

    /// <summary>Snapshots record absolute paths without a trailing '/' (the root excepted).</summary>
    private static string Normalize(string p) => p.Length > 1 ? p.TrimEnd('/') : p;
}
