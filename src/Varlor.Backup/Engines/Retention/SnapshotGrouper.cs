using Varlor.Backup.Repository.Snapshots;

namespace Varlor.Backup.Engines.Retention;

/// <summary>Divides snapshots into retention groups, as restic does: by host, by the sorted list of paths, by the sorted list of tags.</summary>
public static class SnapshotGrouper
{
    /// <returns>groups ordered by key; the snapshots of each in their input order.</returns>
    public static IReadOnlyList<SnapshotGroup> Group(IEnumerable<Snapshot> snapshots, SnapshotGroupBy groupBy)
    {
        ArgumentNullException.ThrowIfNull(snapshots);
        ArgumentNullException.ThrowIfNull(groupBy);
        return [.. snapshots
            .GroupBy(s => KeyOf(s, groupBy))
            .OrderBy(g => g.Key.SortKey, StringComparer.Ordinal)
            .Select(g => new SnapshotGroup(g.Key, [.. g]))];
    }

    public static SnapshotGroupKey KeyOf(Snapshot snapshot, SnapshotGroupBy groupBy)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        ArgumentNullException.ThrowIfNull(groupBy);
        return new SnapshotGroupKey(
            groupBy.Host ? snapshot.Hostname : null,
            groupBy.Paths ? [.. snapshot.Paths.Order(StringComparer.Ordinal)] : null,
            groupBy.Tags ? [.. snapshot.Tags.Distinct().Order(StringComparer.Ordinal)] : null);
    }
}
