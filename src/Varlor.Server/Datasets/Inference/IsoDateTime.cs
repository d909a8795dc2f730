namespace Varlor.Server.Datasets.Inference;

/// <summary>
/// A fast, strict ISO 8601 reader for inference: yyyy-MM-dd, optionally followed by 'T' or ' ' and HH:mm[:ss[.f…]]
/// and an optional 'Z' or ±HH:mm / ±HHmm offset. (DateTimeOffset.TryParseExact with a list of formats was most
/// of the inference time.)
/// </summary>
internal static class IsoDateTime
{
    public static bool TryParse(ReadOnlySpan<char> s, out DateTimeOffset value, out bool hasTime)
    {
        value = default;
        hasTime = false;
        if (s.Length < 10 || s[4] != '-' || s[7] != '-') return false;
        if (!Digits(s, 0, 4, out var year) || !Digits(s, 5, 2, out var month) || !Digits(s, 8, 2, out var day)) return false;
        if (year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)) return false;
        if (s.Length == 10)
        {
            value = new DateTimeOffset(year, month, day, 0, 0, 0, TimeSpan.Zero);
            return true;
        }

        if ((s[10] != 'T' && s[10] != ' ') || s.Length < 16 || s[13] != ':') return false;
        if (!Digits(s, 11, 2, out var hour) || !Digits(s, 14, 2, out var minute) || hour > 23 || minute > 59) return false;
        var i = 16;
        var second = 0;
        long ticks = 0;
        if (i < s.Length && s[i] == ':')
        {
            if (!Digits(s, i + 1, 2, out second) || second > 59) return false;
            i += 3;
            if (i < s.Length && s[i] == '.')
            {
                var start = ++i;
                long fraction = 0;
                while (i < s.Length && char.IsAsciiDigit(s[i]))
                {
                    if (i - start < 7) fraction = fraction * 10 + (s[i] - '0');
                    i++;
                }

                var n = i - start;
                if (n == 0) return false;
                for (var k = Math.Min(n, 7); k < 7; k++) fraction *= 10;
                ticks = fraction;
            }
        }

        var offset = TimeSpan.Zero;
        if (i < s.Length)
        {
            var rest = s[i..];
            if (rest is "Z" or "z")
            {
                // UTC
            }
            else if ((rest[0] == '+' || rest[0] == '-') && (rest.Length == 6 && rest[3] == ':' || rest.Length == 5))
            {
                if (!Digits(rest, 1, 2, out var oh) || !Digits(rest, rest.Length - 2, 2, out var om) || oh > 14 || om > 59) return false;
                offset = new TimeSpan(oh, om, 0);
                if (rest[0] == '-') offset = -offset;
            }
            else
            {
                return false;
            }
        }

        try
        {
            value = new DateTimeOffset(year, month, day, hour, minute, second, offset).AddTicks(ticks);
        }
        catch (ArgumentOutOfRangeException)
        {
            return false; // e.g. 0001-01-01T00:00+01:00 falls before the minimum
        }

        hasTime = true;
        return true;
    }

    private static bool Digits(ReadOnlySpan<char> s, int start, int count, out int value)
    {
        value = 0;
        if (start + count > s.Length) return false;
        for (var i = start; i < start + count; i++)
        {
            var c = s[i];
            if (!char.IsAsciiDigit(c)) return false;
            value = value * 10 + (c - '0');
        }

        return true;
    }
}
