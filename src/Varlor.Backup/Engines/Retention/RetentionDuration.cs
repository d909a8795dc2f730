using System.Globalization;
using System.Text;

namespace Varlor.Backup.Engines.Retention;

/// <summary>
/// A calendar duration in restic's syntax for <c>--keep-within*</c>: numbers each followed by a unit, <c>y</c> years,
/// <c>m</c> months, <c>w</c> weeks, <c>d</c> days, <c>h</c> hours, in any order (e.g. <c>1y6m3d12h</c>, <c>90d</c>,
/// <c>12w</c>). Weeks are not in restic's syntax; they are added so the guide's "12 weeks" reads as written, and count
/// as 7 calendar days each.
/// </summary>
public readonly record struct RetentionDuration(int Years, int Months, int Days, int Hours)
{
    public int Weeks { get; init; }

    public bool IsZero => Years == 0 && Months == 0 && Weeks == 0 && Days == 0 && Hours == 0;

    public bool IsNegative => Years < 0 || Months < 0 || Weeks < 0 || Days < 0 || Hours < 0;

    /// <summary>Parses restic's syntax; a repeated unit takes the last value, as restic does. Negative values are refused.</summary>
    public static RetentionDuration Parse(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var s = text.Trim();
        if (s.Length == 0) throw new RetentionPolicyException("empty duration: use numbers with units y, m, w, d, h (e.g. 1y6m3d12h)");
        int years = 0, months = 0, weeks = 0, days = 0, hours = 0;
        var i = 0;
        while (i < s.Length)
        {
            if (s[i] == '-') throw new RetentionPolicyException($"'{text}': negative durations are not allowed");
            var start = i;
            while (i < s.Length && char.IsAsciiDigit(s[i])) i++;
            if (i == start) throw new RetentionPolicyException($"'{text}' is not a duration: expected a number at '{s[start..]}' (e.g. 1y6m3d12h)");
            if (!int.TryParse(s.AsSpan(start, i - start), NumberStyles.None, CultureInfo.InvariantCulture, out var n))
                throw new RetentionPolicyException($"'{text}': number too large");
            if (i == s.Length) throw new RetentionPolicyException($"'{text}': no unit after {n} (use y, m, w, d or h)");
            switch (s[i])
            {
                case 'y': years = n; break;
                case 'm': months = n; break;
                case 'w': weeks = n; break;
                case 'd': days = n; break;
                case 'h': hours = n; break;
                default: throw new RetentionPolicyException($"'{text}': invalid unit '{s[i]}' after {n} (use y, m, w, d or h)");
            }
            i++;
        }
        return new RetentionDuration(years, months, days, hours) { Weeks = weeks };
    }

    /// <summary>
    /// The instant this duration before <paramref name="reference"/>, as restic computes it (Go's
    /// <c>AddDate(-y, -m, -d).Add(-h hours)</c>, a week being 7 days): years, months and days are subtracted from the
    /// wall-clock date in <paramref name="zone"/> with overflowing days carried over (one month before 31 March is
    /// 3 March, not 28 February), keeping the wall-clock time of day, then the hours as elapsed time. So 2y before
    /// 10 April 2026 01:00 in Paris is 10 April 2024 01:00 in Paris, and 30d before it 11 March 2026 01:00 (CET),
    /// 719 hours earlier across the change to summer time. Null when it falls before the calendar's start.
    /// </summary>
    public DateTimeOffset? Before(DateTimeOffset reference, TimeZoneInfo zone)
    {
        ArgumentNullException.ThrowIfNull(zone);
        try
        {
            var wall = TimeZoneInfo.ConvertTime(reference, zone).DateTime;
            var date = new DateTime(wall.Year - Years, 1, 1, 0, 0, 0, DateTimeKind.Unspecified)
                .AddMonths(wall.Month - 1 - Months)
                .AddDays(wall.Day - 1 - Days - 7.0 * Weeks)
                .Add(wall.TimeOfDay);
            // A wall-clock time skipped or repeated by a DST change takes the zone's standard offset.
            return new DateTimeOffset(date, zone.GetUtcOffset(date)).AddHours(-Hours);
        }
        catch (ArgumentOutOfRangeException)
        {
            return null;
        }
    }

    public override string ToString()
    {
        var b = new StringBuilder();
        if (Years != 0) b.Append(CultureInfo.InvariantCulture, $"{Years}y");
        if (Months != 0) b.Append(CultureInfo.InvariantCulture, $"{Months}m");
        if (Weeks != 0) b.Append(CultureInfo.InvariantCulture, $"{Weeks}w");
        if (Days != 0) b.Append(CultureInfo.InvariantCulture, $"{Days}d");
        if (Hours != 0) b.Append(CultureInfo.InvariantCulture, $"{Hours}h");
        return b.Length == 0 ? "0h" : b.ToString();
    }
}
