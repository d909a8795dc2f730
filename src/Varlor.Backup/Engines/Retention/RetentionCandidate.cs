using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Snapshots;

namespace Varlor.Backup.Engines.Retention;

/// <summary>What the policy looks at in a snapshot: its id (for ties and reporting), time and tags.</summary>
public sealed record RetentionCandidate(BlobId Id, DateTimeOffset Time, IReadOnlyCollection<string> Tags)
{
    public static RetentionCandidate From(Snapshot snapshot)
    {
        ArgumentNullException.ThrowIfNull(snapshot);
        return new RetentionCandidate(snapshot.Id, snapshot.Time, snapshot.Tags);
    }
}
