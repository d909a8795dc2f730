using System.Globalization;

namespace Varlor.Backup.Engines.Wal;

/// <summary>What kind of file PostgreSQL hands to archive_command.</summary>
public enum WalFileKind
{
    /// <summary>A WAL segment: TTTTTTTTXXXXXXXXYYYYYYYY (timeline, then the segment number in two halves).</summary>
    Segment,
    /// <summary>A partial segment left by a promoted standby: segment name + ".partial".</summary>
    Partial,
    /// <summary>A timeline history file: TTTTTTTT.history.</summary>
    History,
    /// <summary>A backup history file: segment name + ".XXXXXXXX.backup".</summary>
    BackupLabel,
}

/// <summary>
/// A validated name of a file in the WAL archive. Only the names PostgreSQL itself produces are accepted, so an
/// archive name can never be a path (no separators, no dots beyond the suffixes) and sorts in WAL order.
/// </summary>
public readonly record struct WalFileName(string Name, WalFileKind Kind, uint Timeline, uint LogId, uint SegmentInLog)
{
    public static bool TryParse(string name, out WalFileName result)
    {
        result = default;
        if (name.Length == 16 && name.EndsWith(".history", StringComparison.Ordinal) && IsHex(name.AsSpan(0, 8)))
        {
            result = new(name, WalFileKind.History, Hex(name.AsSpan(0, 8)), 0, 0);
            return true;
        }
        if (name.Length < 24 || !IsHex(name.AsSpan(0, 24))) return false;
        var kind = name.Length switch
        {
            24 => WalFileKind.Segment,
            32 when name.EndsWith(".partial", StringComparison.Ordinal) => WalFileKind.Partial,
            40 when name[24] == '.' && IsHex(name.AsSpan(25, 8)) && name.EndsWith(".backup", StringComparison.Ordinal) => WalFileKind.BackupLabel,
            _ => (WalFileKind?)null,
        };
        if (kind is null) return false;
        result = new(name, kind.Value, Hex(name.AsSpan(0, 8)), Hex(name.AsSpan(8, 8)), Hex(name.AsSpan(16, 8)));
        return true;
    }

    public static WalFileName Parse(string name) => TryParse(name, out var r) ? r
        : throw new Repository.VarlorException($"'{name}' is not a WAL file name PostgreSQL would archive (segment, .partial, .history or .backup)");

    /// <summary>The segment number counted from 0/0, given the cluster's segment size.</summary>
    public ulong SegmentNumber(long segmentSize) => (ulong)LogId * SegmentsPerLogId(segmentSize) + SegmentInLog;

    /// <summary>The WAL position where this segment starts.</summary>
    public ulong StartLsn(long segmentSize) => SegmentNumber(segmentSize) * (ulong)segmentSize;

    public static ulong SegmentsPerLogId(long segmentSize) => 0x1_0000_0000UL / (ulong)segmentSize;

    /// <summary>The segment name of a timeline and segment number (PostgreSQL's XLogFileName).</summary>
    public static string SegmentName(uint timeline, ulong segmentNumber, long segmentSize)
    {
        var per = SegmentsPerLogId(segmentSize);
        return string.Create(CultureInfo.InvariantCulture, $"{timeline:X8}{(uint)(segmentNumber / per):X8}{(uint)(segmentNumber % per):X8}");
    }

    /// <summary>The segment holding WAL position <paramref name="lsn"/>.</summary>
    public static string SegmentOf(uint timeline, ulong lsn, long segmentSize) => SegmentName(timeline, lsn / (ulong)segmentSize, segmentSize);

    /// <summary>Parses PostgreSQL's text form of an LSN, "16/B374D848".</summary>
    public static bool TryParseLsn(string text, out ulong lsn)
    {
        lsn = 0;
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash <= 0 || slash > 8 || text.Length - slash - 1 is < 1 or > 8) return false;
        if (!uint.TryParse(text.AsSpan(0, slash), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var hi) ||
            !uint.TryParse(text.AsSpan(slash + 1), NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var lo)) return false;
        lsn = ((ulong)hi << 32) | lo;
        return true;
    }

    public static string FormatLsn(ulong lsn) => string.Create(CultureInfo.InvariantCulture, $"{(uint)(lsn >> 32):X}/{(uint)lsn:X}");

    private static bool IsHex(ReadOnlySpan<char> s)
    {
        foreach (var c in s) if (!char.IsAsciiHexDigitUpper(c) && !char.IsAsciiDigit(c)) return false;
        return true;
    }

    private static uint Hex(ReadOnlySpan<char> s) => uint.Parse(s, NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture);
}
