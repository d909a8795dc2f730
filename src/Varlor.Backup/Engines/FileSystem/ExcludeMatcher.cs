using System.IO.Enumeration;

namespace Varlor.Backup.Engines.FileSystem;

/// <summary>
/// --exclude patterns, as restic users expect: a pattern without '/' matches a name at any depth
/// (e.g. "*.tmp"); a pattern with '/' matches the whole absolute path, with '*' within a component and
/// "**" across components. A matching folder is skipped with everything under it.
/// </summary>
public sealed class ExcludeMatcher(IReadOnlyList<string> patterns)
{
    public bool IsEmpty => patterns.Count == 0;

    public bool IsExcluded(string fullPath, string name)
    {
        foreach (var p in patterns)
        {
            if (!p.Contains('/'))
            {
                if (FileSystemName.MatchesSimpleExpression(p, name, ignoreCase: false)) return true;
            }
            else if (MatchPath(p.TrimEnd('/').Split('/'), 0, fullPath.Split('/'), 0))
            {
                return true;
            }
        }
        return false;
    }

    private static bool MatchPath(string[] pattern, int pi, string[] path, int si)
    {
        while (pi < pattern.Length)
        {
            if (pattern[pi] == "**")
            {
                for (var k = si; k <= path.Length; k++)
                    if (MatchPath(pattern, pi + 1, path, k)) return true;
                return false;
            }
            if (si >= path.Length) return false;
            var matches = pattern[pi].Length == 0 ? path[si].Length == 0 : FileSystemName.MatchesSimpleExpression(pattern[pi], path[si], ignoreCase: false);
            if (!matches) return false;
            pi++;
            si++;
        }
        return si == path.Length;
    }
}
