namespace Varlor.Backup.Engines.Retention;

/// <summary>What the snapshots of a group share; a field not grouped by is null. Paths and tags are sorted.</summary>
public sealed record SnapshotGroupKey(string? Host, IReadOnlyList<string>? Paths, IReadOnlyList<string>? Tags)
{
    /// <summary>A string ordering groups by host, then paths, then tags (fields end with
    /// the lowest character, so a list sorts before its extensions).</summary>
    public string SortKey => string.Join('\0', Host ?? "", Join(Paths), Join(Tags));

    private static string Join(IReadOnlyList<string>? items) => items is null ? "" : string.Join('\u0001', items);

    public bool Equals(SnapshotGroupKey? other) =>
        other is not null && string.Equals(Host, other.Host, StringComparison.Ordinal) && Same(Paths, other.Paths) && Same(Tags, other.Tags);

    public override int GetHashCode() => StringComparer.Ordinal.GetHashCode(SortKey);

    private static bool Same(IReadOnlyList<string>? a, IReadOnlyList<string>? b) =>
        a is null ? b is null : b is not null && a.SequenceEqual(b, StringComparer.Ordinal);

    /// <summary>e.g. "host db1, paths /var/lib/dump, tags db", or "all snapshots" when not grouped.</summary>
    public override string ToString()
    {
        var parts = new List<string>();
        if (Host is not null) parts.Add("host " + Host);
        if (Paths is not null) parts.Add("paths " + string.Join(" ", Paths));
        if (Tags is not null) parts.Add("tags " + (Tags.Count == 0 ? "(none)" : string.Join(",", Tags)));
        return parts.Count == 0 ? "all snapshots" : string.Join(", ", parts);
    }
}
