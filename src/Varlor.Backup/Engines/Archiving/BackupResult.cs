using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Snapshots;

namespace Varlor.Backup.Engines.Archiving;

public sealed record BackupResult(Snapshot Snapshot, BlobId SnapshotId, IReadOnlyList<string> FailedFiles);
