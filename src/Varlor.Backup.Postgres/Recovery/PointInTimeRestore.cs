using System.Globalization;
using Varlor.Backup.Engines.Wal;
using Varlor.Backup.Postgres.BaseBackups;
using Varlor.Backup.Repository;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Postgres.Recovery;

/// <summary>Which base backup a recovery starts from, and how far the archive lets it go.</summary>
public sealed record RecoveryPlan(StoredBaseBackup Backup, RecoveryTarget Target, ulong ArchivedToLsn, string? LastSegment, DateTimeOffset? LastPushed, string? Note);

/// <summary>
/// Point-in-time recovery into a new data folder: picks the base backup, checks that the archived WAL reaches the
/// target without a gap, restores the backup (archiving off), and writes recovery.signal with restore_command and
/// the recovery_target_* settings of PostgreSQL 12+ (recovery.conf no longer exists). Targets outside what the
/// repository holds are refused before anything is written.
/// </summary>
public static class PointInTimeRestore
{
    public const int TargetUnreachable = 26;

    public static async Task<RecoveryPlan> PlanAsync(Repo repo, RecoveryTarget target, string? fromSnapshot, CancellationToken ct)
    {
        await repo.LoadIndexAsync(ct);
        var backups = await StoredBaseBackup.LoadAllAsync(repo, ct);
        if (backups.Count == 0) throw new VarlorException("no base backup in this repository: run 'varlor-backup db basebackup' first", TargetUnreachable);
        var segmentSize = backups[^1].Manifest.WalSegmentSize;
        var archive = new WalArchive(repo);
        var archived = (await archive.ListAsync(ct)).Where(f => f.Name.Kind == WalFileKind.Segment).ToList();
        var present = archived.GroupBy(f => f.Name.Timeline).ToDictionary(g => g.Key, g => (IReadOnlySet<ulong>)g.Select(f => f.Name.SegmentNumber(segmentSize)).ToHashSet());

        string? note = null;
        StoredBaseBackup backup;
        if (fromSnapshot is not null)
        {
            var snap = await repo.FindSnapshotAsync(fromSnapshot, ct);
            backup = backups.Find(b => b.Snapshot.Id == snap.Id) ?? throw new VarlorException($"snapshot {snap.Id.Short} is not a base backup");
        }
        else
        {
            var byEnd = backups.OrderBy(b => b.Point.EndLsn).ToList();
            var oldest = byEnd[0];
            backup = target.Kind switch
            {
                RecoveryTargetKind.Time => byEnd.LastOrDefault(b => b.Finished <= target.Time!.Value)
                    ?? throw new VarlorException($"target time {target.Value} is before the oldest base backup (consistent from {Fmt(oldest.Finished)}): nothing to recover from", TargetUnreachable),
                RecoveryTargetKind.Lsn => byEnd.LastOrDefault(b => b.Point.EndLsn <= target.Lsn!.Value)
                    ?? throw new VarlorException($"target LSN {target.Value} is before the end of the oldest base backup ({oldest.Manifest.EndLsn}): nothing to recover from", TargetUnreachable),
                RecoveryTargetKind.Xid => byEnd.LastOrDefault(b => ulong.TryParse(b.Manifest.EndXid, CultureInfo.InvariantCulture, out var x) && x <= target.Xid!.Value)
                    ?? throw new VarlorException($"transaction {target.Value} may have committed before the oldest base backup ended (its next transaction id was {oldest.Manifest.EndXid}): choose a time or LSN target", TargetUnreachable),
                // A restore point's position is not known without reading the WAL: start from the oldest backup
                // whose WAL chain is complete, which reaches every restore point made after it.
                RecoveryTargetKind.Name => byEnd.FirstOrDefault(b => RunEnd(present, b, segmentSize) is not null) ?? oldest,
                _ => byEnd[^1],
            };
            if (target.Kind == RecoveryTargetKind.Name)
                note = $"restore point positions are not recorded: starting from base backup {backup.Snapshot.Id.Short}, the oldest with complete WAL (use --from to choose)";
        }

        var endSegment = backup.Point.EndLsn / (ulong)segmentSize;
        var runEnd = RunEnd(present, backup, segmentSize);
        var archivedTo = runEnd is { } e ? (e + 1) * (ulong)segmentSize : backup.Point.EndLsn;
        var lastName = runEnd is { } r ? WalFileName.SegmentName(backup.Point.Timeline, r, segmentSize) : null;
        DateTimeOffset? lastPushed = lastName is null ? null : (await archive.FetchAsync(lastName, ct)).Info.Pushed;
        var missing = WalFileName.SegmentName(backup.Point.Timeline, runEnd is { } m ? m + 1 : endSegment, segmentSize);
        var newest = lastPushed is { } lp ? $"the newest archived WAL ({lastName}) was pushed at {Fmt(lp)}" : "no WAL after the base backup is archived";
        switch (target.Kind)
        {
            case RecoveryTargetKind.Time when lastPushed is null || target.Time > lastPushed:
                throw new VarlorException($"target time {target.Value} is after the last archived WAL: {newest}{GapHint(present, backup, runEnd, missing, segmentSize)}", TargetUnreachable);
            case RecoveryTargetKind.Lsn when target.Lsn > archivedTo:
                throw new VarlorException($"target LSN {target.Value} is after the last archived WAL (archive reaches {WalFileName.FormatLsn(archivedTo)}; {newest}){GapHint(present, backup, runEnd, missing, segmentSize)}", TargetUnreachable);
        }
        return new RecoveryPlan(backup, target, archivedTo, lastName, lastPushed, note);
    }

    /// <summary>The last segment of the unbroken run of archived segments from the backup's end segment on, or null.</summary>
    private static ulong? RunEnd(Dictionary<uint, IReadOnlySet<ulong>> present, StoredBaseBackup b, long segmentSize) =>
        present.TryGetValue(b.Point.Timeline, out var set) ? WalWindowCalculator.RunEnd(set, b.Point.EndLsn / (ulong)segmentSize) : null;

    private static string GapHint(Dictionary<uint, IReadOnlySet<ulong>> present, StoredBaseBackup b, ulong? runEnd, string missing, long segmentSize)
    {
        var next = runEnd is { } e ? e + 1 : b.Point.EndLsn / (ulong)segmentSize;
        return present.TryGetValue(b.Point.Timeline, out var set) && set.Any(n => n > next) ? $"; segment {missing} is missing (a gap in the archive)" : "";
    }

    private static string Fmt(DateTimeOffset t) => t.UtcDateTime.ToString("yyyy-MM-dd HH:mm:ss'+00'", CultureInfo.InvariantCulture);

    /// <summary>Restores the plan's base backup into <paramref name="targetDir"/> and configures the recovery.</summary>
    public static async Task WriteAsync(Repo repo, RecoveryPlan plan, string targetDir, string restoreCommand, CancellationToken ct)
    {
        await DataDirRestore.RunAsync(repo, plan.Backup.Snapshot, targetDir, ct);
        var lines = new List<string>
        {
            "",
            $"# varlor-backup db restore: point-in-time recovery to {plan.Target} from base backup {plan.Backup.Snapshot.Id.Short}",
            $"restore_command = {PgConf.Quote(restoreCommand)}",
            "recovery_target_action = 'promote'",
            "recovery_target_timeline = 'latest'",
        };
        lines.AddRange(plan.Target.ConfigLines());
        await File.AppendAllTextAsync(Path.Combine(targetDir, "postgresql.auto.conf"), string.Join('\n', lines) + "\n", ct);
        await File.WriteAllTextAsync(Path.Combine(targetDir, "recovery.signal"), "", ct);
    }
}
