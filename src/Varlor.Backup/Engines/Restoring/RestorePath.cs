namespace Varlor.Backup.Engines.Restoring;

/// <summary>Snapshot paths ("/a/b") and their relation to --include filters.</summary>
internal static class RestorePath
{
    public static string Normalize(string include)
    {
        var parts = include.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (parts.Any(p => p is "." or ".."))
            throw new Repository.VarlorException($"--include '{include}': use a path as 'ls' shows it, without '.' or '..'");
        return "/" + string.Join('/', parts);
    }

    /// <summary>Whether the node at <paramref name="path"/> is selected (itself or under an include).</summary>
    public static bool IsSelected(string path, IReadOnlyList<string> includes) =>
        includes.Count == 0 || includes.Any(i => i == "/" || path == i || path.StartsWith(i + "/", StringComparison.Ordinal));

    /// <summary>Whether some include lies below <paramref name="path"/>, so the walk must go through it.</summary>
    public static bool LeadsToSelection(string path, IReadOnlyList<string> includes) =>
        includes.Any(i => i.StartsWith(path + "/", StringComparison.Ordinal));
}
