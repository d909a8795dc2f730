namespace Varlor.Backup.Engines.Retention;

/// <summary>Which snapshot fields make a retention group (restic's <c>--group-by</c>): default host and paths.</summary>
public sealed record SnapshotGroupBy(bool Host, bool Paths, bool Tags)
{
    public static readonly SnapshotGroupBy Default = new(Host: true, Paths: true, Tags: false);

    /// <summary>A comma-separated subset of host, paths, tags; an empty string puts every snapshot in one group.</summary>
    public static SnapshotGroupBy Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        bool host = false, paths = false, tags = false;
        foreach (var part in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            switch (part)
            {
                case "host": host = true; break;
                case "paths" or "path": paths = true; break;
                case "tags" or "tag": tags = true; break;
                default: throw new RetentionPolicyException($"--group-by: unknown field '{part}' (use host, paths, tags, separated by commas, or '' for one group)");
            }
        }
        return new SnapshotGroupBy(host, paths, tags);
    }

    public override string ToString()
    {
        var fields = new List<string>();
        if (Host) fields.Add("host");
        if (Paths) fields.Add("paths");
        if (Tags) fields.Add("tags");
        return string.Join(",", fields);
    }
}
