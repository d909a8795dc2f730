using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Repository.Snapshots;

/// <summary>
/// Resolves what a user names (an id, a prefix, 'latest') within a <see cref="SnapshotFilter"/>. An unfiltered 'latest'
/// in a repository that holds several kinds (file backups, dumps, base backups) is refused with the filter to add:
/// whether it would pick the right snapshot would depend on which backup ran last, so a command that works at 01:00
/// would restore a dump's folder at 03:00.
/// </summary>
public static class SnapshotSelector
{
    public static async Task<Snapshot> FindAsync(Repo repo, string reference, SnapshotFilter filter, CancellationToken ct)
    {
        if (reference == "latest") return Latest(await repo.LoadSnapshotsAsync(ct), filter);
        var snapshot = await repo.FindSnapshotAsync(reference, ct);
        // The kind is checked by the command that needs it (it says what it expected); the user's filters here.
        var given = filter with { Kind = null };
        if (!given.IsEmpty && !given.Matches(snapshot))
            throw new VarlorException($"snapshot {snapshot.Id.Short} does not match {given}");
        return snapshot;
    }

    /// <summary>The named snapshots (or all when none is named) that match the filter, oldest first, each once.</summary>
    public static async Task<List<Snapshot>> SelectAsync(Repo repo, IReadOnlyList<string> references, SnapshotFilter filter, CancellationToken ct)
    {
        if (references.Count == 0) return [.. (await repo.LoadSnapshotsAsync(ct)).Where(filter.Matches)];
        var found = new List<Snapshot>();
        foreach (var reference in references) found.Add(await FindAsync(repo, reference, filter, ct));
        return [.. found.DistinctBy(s => s.Id).OrderBy(s => s.Time).ThenBy(s => s.Id)];
    }

    /// <summary>The newest snapshot matching the filter, or null; never ambiguous (for age checks, where any kind counts).</summary>
    public static Snapshot? Newest(IReadOnlyList<Snapshot> oldestFirst, SnapshotFilter filter) => oldestFirst.LastOrDefault(filter.Matches);

    /// <summary>'latest' among <paramref name="oldestFirst"/> (as <see cref="Repo.LoadSnapshotsAsync"/> returns them).</summary>
    public static Snapshot Latest(IReadOnlyList<Snapshot> oldestFirst, SnapshotFilter filter)
    {
        var candidates = oldestFirst.Where(filter.Matches).ToList();
        if (candidates.Count == 0)
        {
            if (oldestFirst.Count == 0) throw new VarlorException("the repository has no snapshots yet");
            throw new VarlorException(filter.Kind is { } k && filter.IsEmpty
                ? $"no {SnapshotKinds.Plural(k)} in this repository" + (k == SnapshotKind.Files ? "" : $" (no snapshot tagged {(k == SnapshotKind.Dump ? SnapshotKinds.DumpTag : SnapshotKinds.BaseBackupTag)})")
                : $"no {(filter.Kind is { } kind ? SnapshotKinds.Singular(kind) : "snapshot")} matches {filter}");
        }
        if (filter.IsEmpty && filter.Kind is null)
        {
            var kinds = candidates.Select(SnapshotKinds.Of).Distinct().Order().ToList();
            if (kinds.Count > 1) throw new VarlorException(Ambiguous(candidates, kinds));
        }
        return candidates[^1];
    }

    private static string Ambiguous(List<Snapshot> candidates, List<SnapshotKind> kinds)
    {
        var newest = candidates[^1];
        var hints = kinds.Select(kind => kind switch
        {
            SnapshotKind.Dump => $"--tag {SnapshotKinds.DumpTag} for the newest database dump",
            SnapshotKind.BaseBackup => $"--tag {SnapshotKinds.BaseBackupTag} for the newest base backup",
            _ => FilesHint(candidates.Last(s => SnapshotKinds.Of(s) == SnapshotKind.Files)) + " for the newest file backup",
        });
        return $"'latest' is ambiguous: the repository holds {Join(kinds.Select(SnapshotKinds.Plural).ToList())}, and the newest snapshot ({newest.Id.Short}) " +
            $"is {SnapshotKinds.Describe(SnapshotKinds.Of(newest))}; add {string.Join(", ", hints)}, or give a snapshot id";
    }

    /// <summary>A tag of the file backup if it has one (the operator's guide tags them 'files'), else its paths.</summary>
    private static string FilesHint(Snapshot s) =>
        s.Tags.Count > 0 ? $"--tag {s.Tags[0]}" : string.Join(" ", s.Paths.Select(p => "--path " + p));

    private static string Join(List<string> items) =>
        items.Count <= 2 ? string.Join(" and ", items) : string.Join(", ", items[..^1]) + " and " + items[^1];
}
