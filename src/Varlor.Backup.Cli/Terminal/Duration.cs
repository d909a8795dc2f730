using System.Globalization;
using System.Text.RegularExpressions;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Cli.Terminal;

/// <summary>Durations as people write them: 26h, 2d, 90m, 1d12h, 30s, 1w (m is minutes here, not months).</summary>
public static partial class Duration
{
    [GeneratedRegex(@"^(?:(\d+)([smhdw]))+$")]
    private static partial Regex Pattern();

    public static TimeSpan Parse(string option, string text)
    {
        var match = Pattern().Match(text.Trim());
        if (!match.Success) throw new VarlorException($"{option} '{text}': use a number and a unit s, m, h, d or w (e.g. 26h, 2d, 90m, 1d12h)");
        var total = TimeSpan.Zero;
        for (var i = 0; i < match.Groups[1].Captures.Count; i++)
        {
            var n = long.Parse(match.Groups[1].Captures[i].Value, CultureInfo.InvariantCulture);
            total += match.Groups[2].Captures[i].Value switch
            {
                "s" => TimeSpan.FromSeconds(n), "m" => TimeSpan.FromMinutes(n), "h" => TimeSpan.FromHours(n),
                "d" => TimeSpan.FromDays(n), _ => TimeSpan.FromDays(7 * n),
            };
        }
        return total > TimeSpan.Zero ? total : throw new VarlorException($"{option} '{text}' must be more than zero");
    }

    /// <summary>"1d 2h 5m", for messages.</summary>
    public static string Format(TimeSpan t)
    {
        var parts = new List<string>();
        if (t.Days > 0) parts.Add($"{t.Days}d");
        if (t.Hours > 0) parts.Add($"{t.Hours}h");
        if (t.Minutes > 0 || parts.Count == 0) parts.Add($"{Math.Max(0, t.Minutes)}m");
        return string.Join(" ", parts);
    }
}
