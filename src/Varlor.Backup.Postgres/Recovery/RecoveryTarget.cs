using System.Globalization;
using Varlor.Backup.Engines.Wal;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Postgres.Recovery;

public enum RecoveryTargetKind { Latest, Immediate, Time, Lsn, Xid, Name }

/// <summary>Where a point-in-time recovery stops, as PostgreSQL 12+ spells it in recovery_target_* settings.</summary>
public sealed record RecoveryTarget(RecoveryTargetKind Kind, string? Value = null)
{
    public DateTimeOffset? Time { get; private init; }
    public ulong? Lsn { get; private init; }
    public ulong? Xid { get; private init; }

    public static RecoveryTarget Latest { get; } = new(RecoveryTargetKind.Latest);
    public static RecoveryTarget Immediate { get; } = new(RecoveryTargetKind.Immediate);

    public static RecoveryTarget AtTime(string text)
    {
        if (!DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var t))
            throw new VarlorException($"--to-time '{text}' is not a time: use e.g. \"2026-11-23 10:30:00+00\"");
        return new RecoveryTarget(RecoveryTargetKind.Time, t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss.ffffff+00", CultureInfo.InvariantCulture)) { Time = t.ToUniversalTime() };
    }

    public static RecoveryTarget AtLsn(string text) => WalFileName.TryParseLsn(text, out var lsn)
        ? new RecoveryTarget(RecoveryTargetKind.Lsn, WalFileName.FormatLsn(lsn)) { Lsn = lsn }
        : throw new VarlorException($"--to-lsn '{text}' is not an LSN: use PostgreSQL's form, e.g. 0/3000148");

    public static RecoveryTarget AtXid(string text) => ulong.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var xid) && xid >= 3
        ? new RecoveryTarget(RecoveryTargetKind.Xid, xid.ToString(CultureInfo.InvariantCulture)) { Xid = xid }
        : throw new VarlorException($"--to-xid '{text}' is not a transaction id");

    public static RecoveryTarget AtName(string name) => name.Length is > 0 and < 64
        ? new RecoveryTarget(RecoveryTargetKind.Name, name)
        : throw new VarlorException("--to-name needs the name given to pg_create_restore_point (1 to 63 characters)");

    /// <summary>The postgresql.auto.conf lines that set this target (none for latest: recover to the end of the archive).</summary>
    public IEnumerable<string> ConfigLines()
    {
        switch (Kind)
        {
            case RecoveryTargetKind.Immediate: yield return "recovery_target = 'immediate'"; break;
            case RecoveryTargetKind.Time: yield return $"recovery_target_time = {PgConf.Quote(Value!)}"; break;
            case RecoveryTargetKind.Lsn: yield return $"recovery_target_lsn = {PgConf.Quote(Value!)}"; break;
            case RecoveryTargetKind.Xid: yield return $"recovery_target_xid = {PgConf.Quote(Value!)}"; break;
            case RecoveryTargetKind.Name: yield return $"recovery_target_name = {PgConf.Quote(Value!)}"; break;
        }
    }

    public override string ToString() => Kind switch
    {
        RecoveryTargetKind.Latest => "the end of the archived WAL",
        RecoveryTargetKind.Immediate => "the end of the base backup",
        RecoveryTargetKind.Time => $"time {Value}",
        RecoveryTargetKind.Lsn => $"LSN {Value}",
        RecoveryTargetKind.Xid => $"transaction {Value}",
        _ => $"restore point '{Value}'",
    };
}

/// <summary>Quoting for postgresql.conf values and for the shell commands PostgreSQL runs.</summary>
public static class PgConf
{
    public static string Quote(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>One shell word: as is when plainly safe, else single-quoted.</summary>
    public static string ShellWord(string word) =>
        word.Length > 0 && word.All(c => char.IsAsciiLetterOrDigit(c) || "/._-:=@%+,".Contains(c)) ? word
            : "'" + word.Replace("'", "'\\''", StringComparison.Ordinal) + "'";
}
