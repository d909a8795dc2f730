using Varlor.Backup.Engines.Wal;
using Varlor.Backup.Repository.Crypto;

namespace Varlor.Backup.Tests.Engines.Wal;

public sealed class WalWindowTests
{
    private const long Mb16 = 16L * 1024 * 1024;

    [Theory]
    [InlineData("000000010000000000000003", WalFileKind.Segment, 1u, 3ul)]
    [InlineData("0000000A00000001000000FF", WalFileKind.Segment, 10u, 511ul)]
    [InlineData("000000020000000300000004.partial", WalFileKind.Partial, 2u, 3ul * 256 + 4)]
    [InlineData("000000010000000000000002.00000028.backup", WalFileKind.BackupLabel, 1u, 2ul)]
    [InlineData("00000002.history", WalFileKind.History, 2u, 0ul)]
    public void PostgreSQL_names_parse_into_timeline_and_segment_number(string name, WalFileKind kind, uint timeline, ulong segment)
    {
        Assert.True(WalFileName.TryParse(name, out var n));
        Assert.Equal(kind, n.Kind);
        Assert.Equal(timeline, n.Timeline);
        Assert.Equal(segment, n.SegmentNumber(Mb16));
        if (kind == WalFileKind.Segment) Assert.Equal(name, WalFileName.SegmentName(timeline, segment, Mb16));
    }

    [Theory]
    [InlineData("../00000001000000000000000")]
    [InlineData("000000010000000000000003/x")]
    [InlineData("00000001000000000000000g")]
    [InlineData("000000010000000000000003.history")]
    [InlineData("0000000100000000000000030")]
    [InlineData(".history")]
    [InlineData("")]
    public void Anything_else_is_refused_so_an_archive_name_is_never_a_path(string name) => Assert.False(WalFileName.TryParse(name, out _));

    [Fact]
    public void Segment_numbers_cross_the_log_id_boundary_at_the_segment_size()
    {
        Assert.Equal("000000010000000100000000", WalFileName.SegmentName(1, 256, Mb16));
        Assert.Equal("000000010000000000000100", WalFileName.SegmentName(1, 256, 1024 * 1024)); // 1 MiB segments: 4096 per log id
        Assert.True(WalFileName.TryParseLsn("1/0", out var lsn));
        Assert.Equal("000000010000000100000000", WalFileName.SegmentOf(1, lsn, Mb16));
        Assert.Equal("16/B374D848", WalFileName.FormatLsn(WalFileName.TryParseLsn("16/B374D848", out var l2) ? l2 : 0));
    }

    private static IEnumerable<WalFileName> Names(uint timeline, params int[] segments) =>
        segments.Select(s => WalFileName.Parse(WalFileName.SegmentName(timeline, (ulong)s, Mb16)));

    private static WalBackupPoint Backup(string id, int startSegment, int endSegment) =>
        new(id, 1, (ulong)startSegment * Mb16 + 40, (ulong)endSegment * Mb16 + 200, DateTimeOffset.UnixEpoch.AddHours(startSegment));

    [Fact]
    public void A_gap_splits_the_recoverable_window_and_a_later_backup_starts_a_new_range()
    {
        var windows = WalWindowCalculator.Compute(Names(1, 2, 3, 4, 5, 7, 8, 9), [Backup("a", 2, 3), Backup("b", 7, 7)], Mb16);
        var t = Assert.Single(windows);
        var gap = Assert.Single(t.Gaps);
        Assert.Equal(("000000010000000000000006", "000000010000000000000006"), (gap.FirstName, gap.LastName));
        Assert.Collection(t.Ranges,
            r => Assert.Equal(("a", "000000010000000000000005", 6ul * (ulong)Mb16), (r.FromBackup, r.ToSegment, r.ToLsn)),
            r => Assert.Equal(("b", "000000010000000000000009"), (r.FromBackup, r.ToSegment)));
    }

    [Fact]
    public void Without_a_base_backup_or_with_its_wal_missing_nothing_is_recoverable()
    {
        Assert.Equal("no base backup on this timeline", WalWindowCalculator.Compute(Names(1, 1, 2), [], Mb16)[0].Problem);
        var missing = WalWindowCalculator.Compute(Names(1, 5, 6), [Backup("a", 2, 3)], Mb16)[0];
        Assert.Empty(missing.Ranges);
        Assert.NotNull(missing.Problem);
        // Two backups reaching the same end give one range, from the older.
        var both = WalWindowCalculator.Compute(Names(1, 2, 3, 4), [Backup("a", 2, 2), Backup("b", 3, 3)], Mb16)[0];
        Assert.Equal("a", Assert.Single(both.Ranges).FromBackup);
    }

    [Fact]
    public void A_stored_segment_opens_only_under_its_own_name_and_unaltered()
    {
        using var aead = new Aead(new byte[32]);
        var content = new byte[100_000];
        new Random(3).NextBytes(content.AsSpan(0, 1000));
        var (sealedBytes, info) = WalObject.Seal(aead, "000000010000000000000003", content, DateTimeOffset.UnixEpoch);
        Assert.True(sealedBytes.Length < content.Length / 4);
        var (opened, read) = WalObject.Open(aead, "000000010000000000000003", sealedBytes);
        Assert.Equal(content, opened);
        Assert.Equal(info.Sha256, read.Sha256);
        Assert.Throws<Varlor.Backup.Repository.CorruptDataException>(() => WalObject.Open(aead, "000000010000000000000004", sealedBytes));
        sealedBytes[^20] ^= 1;
        Assert.Throws<Varlor.Backup.Repository.CorruptDataException>(() => WalObject.Open(aead, "000000010000000000000003", sealedBytes));
    }
}
