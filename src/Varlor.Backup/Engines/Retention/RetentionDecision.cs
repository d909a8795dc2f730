namespace Varlor.Backup.Engines.Retention;

/// <summary>The verdict on one snapshot: kept by the rules named in <see cref="Reasons"/> (see <see cref="KeepReasons"/>), or removed when there are none.</summary>
public sealed record RetentionDecision(RetentionCandidate Snapshot, IReadOnlyList<string> Reasons)
{
    public bool Keep => Reasons.Count > 0;
}
