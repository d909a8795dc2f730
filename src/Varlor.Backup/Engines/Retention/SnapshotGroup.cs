using Varlor.Backup.Repository.Snapshots;

namespace Varlor.Backup.Engines.Retention;

public sealed record SnapshotGroup(SnapshotGroupKey Key, IReadOnlyList<Snapshot> Snapshots);
