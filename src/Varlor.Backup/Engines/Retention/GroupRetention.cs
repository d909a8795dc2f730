namespace Varlor.Backup.Engines.Retention;

/// <summary>The policy's verdicts for one group, newest first.</summary>
public sealed record GroupRetention(SnapshotGroupKey Key, IReadOnlyList<RetentionDecision> Decisions)
{
    public IEnumerable<RetentionDecision> Kept => Decisions.Where(d => d.Keep);
    public IEnumerable<RetentionDecision> Removed => Decisions.Where(d => !d.Keep);
}
