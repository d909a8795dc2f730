using System.CommandLine;
using Varlor.Backup.Cli.Terminal;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Snapshots;

namespace Varlor.Backup.Cli.Commands;

/// <summary>
/// check --max-age: the guide's "a backup exists from the last 24 hours", for cron and monitoring. Reads only the
/// snapshot list (no lock, no index): cheap enough to run every hour. Any kind of snapshot counts; the filters say which.
/// </summary>
public static class AgeCheck
{
    public static async Task<int> RunAsync(ParseResult p, Output output, string maxAgeText, SnapshotFilter filter, CancellationToken ct)
    {
        var maxAge = Duration.Parse("--max-age", maxAgeText);
        using var repo = await GlobalOptions.OpenAsync(p, ct);
        var problems = new List<string>();
        var newest = SnapshotSelector.Newest(await repo.LoadSnapshotsAsync(ct, problems), filter);
        foreach (var problem in problems) Output.Error(problem);
        var now = DateTimeOffset.UtcNow;
        var age = newest is null ? (TimeSpan?)null : now - newest.Time;
        var ok = age is { } a && a <= maxAge;
        var within = filter.IsEmpty ? "" : $" matching {filter}";
        if (output.Json)
        {
            output.WriteJson(new
            {
                ok, max_age_seconds = (long)maxAge.TotalSeconds, snapshot = newest?.Id.ToString(), time = newest?.Time,
                age_seconds = age is null ? (long?)null : (long)age.Value.TotalSeconds,
            });
        }
        else if (ok)
        {
            output.Line($"newest snapshot{within}: {newest!.Id.Short} from {Terminal.Format.Time(newest.Time)}, {Duration.Format(age!.Value)} old (at most {maxAgeText}): ok");
        }
        if (ok) return ExitCodes.Success;
        Output.Error(newest is null
            ? $"no snapshot{within}: nothing to show a backup within the last {maxAgeText}"
            : $"the newest snapshot{within}, {newest.Id.Short} from {Terminal.Format.Time(newest.Time)}, is {Duration.Format(age!.Value)} old: more than --max-age {maxAgeText}");
        return ExitCodes.TooOld;
    }
}
