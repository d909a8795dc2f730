namespace Varlor.Backup.Engines.Wal;

/// <summary>A base backup as the WAL chain sees it: the WAL it needs starts at StartLsn, and it is consistent from EndLsn.</summary>
public sealed record WalBackupPoint(string Id, uint Timeline, ulong StartLsn, ulong EndLsn, DateTimeOffset Finished);

/// <summary>Missing segments [First, Last] (segment numbers) of one timeline.</summary>
public sealed record WalGap(ulong First, ulong Last, string FirstName, string LastName);

/// <summary>
/// One stretch that can be recovered to: from the end of base backup FromBackup (the oldest one that reaches it) to the
/// end of the last segment archived without a gap after that backup. ToTime is the push time of ToSegment: an upper
/// bound of the newest commit that can be recovered.
/// </summary>
public sealed record RecoverableRange(string FromBackup, ulong FromLsn, DateTimeOffset FromTime, ulong ToLsn, string ToSegment)
{
    public DateTimeOffset? ToTime { get; set; }
}

/// <summary>The archived segments of one timeline, the gaps between them, and what can be recovered (one range per
/// unbroken run of WAL after a base backup; empty with a Problem when nothing can).</summary>
public sealed record TimelineWindow
{
    public required uint Timeline { get; init; }
    public required int Segments { get; init; }
    public required string FirstSegment { get; init; }
    public required string LastSegment { get; init; }
    public required List<WalGap> Gaps { get; init; }
    public required List<RecoverableRange> Ranges { get; init; }
    public string? Problem { get; init; }
}

/// <summary>
/// Computes, per timeline, the archived segments, the gaps between them, and the recoverable ranges given the base
/// backups (a base backup's own WAL is inside its tar; what follows its end must be archived). Pure computation
/// over names: push times of the range ends are filled in by the caller (one read each).
/// </summary>
public static class WalWindowCalculator
{
    public static List<TimelineWindow> Compute(IEnumerable<WalFileName> archived, IReadOnlyList<WalBackupPoint> backups, long segmentSize)
    {
        var result = new List<TimelineWindow>();
        foreach (var timeline in archived.Where(n => n.Kind == WalFileKind.Segment).GroupBy(n => n.Timeline).OrderBy(g => g.Key))
        {
            var numbers = timeline.Select(n => n.SegmentNumber(segmentSize)).Distinct().Order().ToList();
            var present = numbers.ToHashSet();
            var gaps = new List<WalGap>();
            for (var i = 1; i < numbers.Count; i++)
                if (numbers[i] != numbers[i - 1] + 1)
                    gaps.Add(new WalGap(numbers[i - 1] + 1, numbers[i] - 1,
                        WalFileName.SegmentName(timeline.Key, numbers[i - 1] + 1, segmentSize), WalFileName.SegmentName(timeline.Key, numbers[i] - 1, segmentSize)));

            var ranges = new List<RecoverableRange>();
            foreach (var b in backups.Where(b => b.Timeline == timeline.Key).OrderBy(b => b.EndLsn))
            {
                if (RunEnd(present, b.EndLsn / (ulong)segmentSize) is not { } end) continue;
                if (ranges.Count > 0 && ranges[^1].ToSegment == WalFileName.SegmentName(timeline.Key, end, segmentSize)) continue; // an older backup reaches as far
                ranges.Add(new RecoverableRange(b.Id, b.EndLsn, b.Finished, (end + 1) * (ulong)segmentSize, WalFileName.SegmentName(timeline.Key, end, segmentSize)));
            }
            result.Add(new TimelineWindow
            {
                Timeline = timeline.Key,
                Segments = numbers.Count,
                FirstSegment = WalFileName.SegmentName(timeline.Key, numbers[0], segmentSize),
                LastSegment = WalFileName.SegmentName(timeline.Key, numbers[^1], segmentSize),
                Gaps = gaps,
                Ranges = ranges,
                Problem = ranges.Count > 0 ? null
                    : backups.Any(b => b.Timeline == timeline.Key) ? "no archived WAL follows any base backup on this timeline"
                    : "no base backup on this timeline",
            });
        }
        return result;
    }

    /// <summary>The last segment of the unbroken run starting at <paramref name="first"/>, or null when that one is missing.</summary>
    public static ulong? RunEnd(IReadOnlySet<ulong> present, ulong first)
    {
        if (!present.Contains(first)) return null;
        var n = first;
        while (present.Contains(n + 1)) n++;
        return n;
    }
}
