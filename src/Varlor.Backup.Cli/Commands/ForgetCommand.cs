using System.CommandLine;
using System.Globalization;
using Varlor.Backup.Cli.Terminal;
using Varlor.Backup.Engines.Retention;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Locks;
using Varlor.Backup.Repository.Snapshots;
using Varlor.Backup.Storage;

namespace Varlor.Backup.Cli.Commands;

public static class ForgetCommand
{
    public static Command Create()
    {
        var last = Count("--keep-last", "-l", "Keep the last N snapshots");
        var hourly = Count("--keep-hourly", "-H", "Keep the newest snapshot of each of the last N hours that have one");
        var daily = Count("--keep-daily", "-d", "Keep the newest snapshot of each of the last N days that have one");
        var weekly = Count("--keep-weekly", "-w", "Keep the newest snapshot of each of the last N ISO weeks that have one");
        var monthly = Count("--keep-monthly", "-m", "Keep the newest snapshot of each of the last N months that have one");
        var yearly = Count("--keep-yearly", "-y", "Keep the newest snapshot of each of the last N years that have one");
        var within = Duration("--keep-within", "Keep snapshots newer than DURATION before the newest snapshot (e.g. 1y6m3d12h; units y, m, w, d, h)");
        var withinHourly = Duration("--keep-within-hourly", "Keep the newest snapshot of each hour in the DURATION before the newest snapshot (e.g. 48h)");
        var withinDaily = Duration("--keep-within-daily", "Keep the newest snapshot of each day in the DURATION before the newest snapshot (e.g. 30d)");
        var withinWeekly = Duration("--keep-within-weekly", "Keep the newest snapshot of each ISO week in the DURATION before the newest snapshot (e.g. 12w)");
        var withinMonthly = Duration("--keep-within-monthly", "Keep the newest snapshot of each month in the DURATION before the newest snapshot (e.g. 6m)");
        var withinYearly = Duration("--keep-within-yearly", "Keep the newest snapshot of each year in the DURATION before the newest snapshot (e.g. 2y)");
        var keepTags = new Option<string[]>("--keep-tag") { Description = "Keep every snapshot with this tag (repeatable: any of them)", HelpName = "TAG" };
        var groupBy = new Option<string?>("--group-by", "-g") { Description = "Apply the policy per group of host, paths, tags (comma-separated; '' for one group; default host,paths)", HelpName = "LIST" };
        var filter = new SnapshotFilterOptions();
        var zone = new Option<string?>("--time-zone") { Description = "Time zone of the hour/day/week/month/year buckets, an IANA id such as Europe/Berlin (default: this machine's)", HelpName = "ZONE" };
        var dryRun = new Option<bool>("--dry-run", "-n") { Description = "Show what would be kept and removed; remove nothing" };
        var prune = new Option<bool>("--prune") { Description = "Then remove the data no snapshot references any more" };
        var cmd = new Command("forget", "Remove snapshots according to a retention policy (grandfather-father-son), per group of host and paths")
        {
            last, hourly, daily, weekly, monthly, yearly, within, withinHourly, withinDaily, withinWeekly, withinMonthly, withinYearly, keepTags, groupBy, zone, dryRun, prune, PruneCommand.MaxUnused,
        };
        filter.AddTo(cmd);
        cmd.SetAction(async (p, ct) =>
        {
            var output = GlobalOptions.Output(p);
            var policy = new RetentionPolicy
            {
                KeepLast = p.GetValue(last), KeepHourly = p.GetValue(hourly), KeepDaily = p.GetValue(daily),
                KeepWeekly = p.GetValue(weekly), KeepMonthly = p.GetValue(monthly), KeepYearly = p.GetValue(yearly),
                KeepWithin = ParseDuration(p, within), KeepWithinHourly = ParseDuration(p, withinHourly),
                KeepWithinDaily = ParseDuration(p, withinDaily), KeepWithinWeekly = ParseDuration(p, withinWeekly),
                KeepWithinMonthly = ParseDuration(p, withinMonthly), KeepWithinYearly = ParseDuration(p, withinYearly),
                KeepTags = new HashSet<string>(p.GetValue(keepTags) ?? [], StringComparer.Ordinal),
            };
            policy.Validate();
            var grouping = p.GetValue(groupBy) is { } g ? SnapshotGroupBy.Parse(g) : SnapshotGroupBy.Default;
            var timeZone = FindZone(p.GetValue(zone));
            var isDryRun = p.GetValue(dryRun);

            using var repo = await GlobalOptions.OpenAsync(p, ct);
            await using var _ = await RepositoryLock.AcquireAsync(repo, exclusive: true, "forget", ct);
            var problems = new List<string>();
            var snapshots = (await repo.LoadSnapshotsAsync(ct, problems)).Where(filter.Get(p).Matches).ToList();
            foreach (var problem in problems) Output.Error(problem);
            var byId = snapshots.ToDictionary(s => s.Id);
            var groups = RetentionEngine.ApplyGrouped(policy, snapshots, grouping, timeZone, DateTimeOffset.UtcNow);

            var toRemove = groups.SelectMany(gr => gr.Removed).Select(d => d.Snapshot.Id).ToList();
            var removed = 0;
            if (!isDryRun)
            {
                foreach (var id in toRemove)
                {
                    await repo.Backend.DeleteAsync(FileKind.Snapshot, id.ToString(), ct);
                    removed++;
                }
            }
            Engines.Pruning.PruneReport? pruned = null;
            Postgres.Wal.WalExpiry? walExpiry = null;
            if (p.GetValue(prune) && toRemove.Count > 0)
            {
                // Still under the exclusive lock taken for forget; with --dry-run prune only reports. WAL first, while the
                // forgotten base backups' manifests are still readable for a dry run.
                walExpiry = await Postgres.Wal.WalRetention.ExpireAsync(repo, toRemove.ToHashSet(), isDryRun, ct);
                pruned = await new Engines.Pruning.Pruner(repo, output).RunAsync(
                    new Engines.Pruning.PruneOptions { MaxUnused = PruneCommand.ParseMaxUnused(p.GetValue(PruneCommand.MaxUnused)), DryRun = isDryRun, Forgotten = toRemove.ToHashSet() }, ct);
            }

            if (output.Json)
            {
                output.WriteJson(new
                {
                    dry_run = isDryRun, policy = policy.Describe(), group_by = grouping.ToString(), time_zone = timeZone.Id,
                    groups = groups.Select(gr => new
                    {
                        host = gr.Key.Host, paths = gr.Key.Paths, tags = gr.Key.Tags,
                        keep = gr.Kept.Select(d => Entry(byId[d.Snapshot.Id], d.Reasons)),
                        remove = gr.Removed.Select(d => Entry(byId[d.Snapshot.Id], null)),
                    }),
                    removed,
                    prune = pruned,
                    wal = walExpiry,
                });
                return problems.Count > 0 ? 1 : 0;
            }
            // Like restic: the tables are left out with --quiet, the summary stays.
            output.Line($"{policy.Describe()}; groups by {(grouping.ToString() is { Length: > 0 } gb ? gb : "nothing")}; calendar in {timeZone.Id}");
            foreach (var gr in groups)
            {
                var kept = gr.Kept.ToList();
                var gone = gr.Removed.ToList();
                output.Line("");
                output.Line($"{gr.Key}:");
                output.Line($"keep {Format.Count(kept.Count, "snapshot")}:");
                if (kept.Count > 0) Table(output, kept.Select(d => (byId[d.Snapshot.Id], string.Join(", ", d.Reasons))), withReasons: true);
                if (gone.Count > 0)
                {
                    output.Line($"{(isDryRun ? "would remove" : "remove")} {Format.Count(gone.Count, "snapshot")}:");
                    Table(output, gone.Select(d => (byId[d.Snapshot.Id], "")), withReasons: false);
                }
            }
            output.Line("");
            Output.Result(isDryRun
                ? $"dry run: {Format.Count(toRemove.Count, "snapshot")} would be removed, nothing was changed"
                : $"removed {Format.Count(removed, "snapshot")}");
            if (pruned is not null)
                Output.Result($"prune: {(isDryRun ? "would free" : "freed")} {Format.Bytes(pruned.BytesFreed)} ({Format.Count(pruned.PacksDeleted, "pack")} deleted, {pruned.PacksRepacked} repacked)");
            if (walExpiry is not null) PruneCommand.PrintWal(output, walExpiry, isDryRun);
            return problems.Count > 0 ? 1 : 0;
        });
        return cmd;
    }

    /// <summary>A count option: a number of buckets, or -1 / 'unlimited' for all of them.</summary>
    private static Option<int> Count(string name, string alias, string description) => new(name, alias)
    {
        Description = description + " (-1 or 'unlimited': all)",
        HelpName = "N",
        CustomParser = r =>
        {
            var text = r.Tokens.Count > 0 ? r.Tokens[^1].Value : "";
            if (text == "unlimited") return RetentionPolicy.Unlimited;
            if (int.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var n) && n >= RetentionPolicy.Unlimited) return n;
            r.AddError($"{name} '{text}': use a number of 0 or more, or -1 / 'unlimited'");
            return 0;
        },
    };

    private static Option<string?> Duration(string name, string description) => new(name) { Description = description, HelpName = "DURATION" };

    /// <summary>The option's duration, zero when not given; a malformed one is refused naming the option.</summary>
    private static RetentionDuration ParseDuration(ParseResult p, Option<string?> option)
    {
        if (p.GetValue(option) is not { } text) return default;
        try
        {
            return RetentionDuration.Parse(text);
        }
        catch (RetentionPolicyException e)
        {
            throw new RetentionPolicyException(option.Name + " " + e.Message);
        }
    }

    private static TimeZoneInfo FindZone(string? id)
    {
        if (id is null) return TimeZoneInfo.Local;
        try
        {
            return TimeZoneInfo.FindSystemTimeZoneById(id);
        }
        catch (Exception e) when (e is TimeZoneNotFoundException or InvalidTimeZoneException)
        {
            throw new VarlorException($"--time-zone '{id}': unknown time zone; use an IANA id such as UTC or Europe/Berlin");
        }
    }

    private static object Entry(Snapshot s, IReadOnlyList<string>? reasons) => new
    {
        id = s.Id.ToString(), short_id = s.Id.Short, time = s.Time, hostname = s.Hostname, paths = s.Paths, tags = s.Tags, reasons,
    };

    private static void Table(Output output, IEnumerable<(Snapshot Snapshot, string Reasons)> rows, bool withReasons)
    {
        output.Line($"  {"ID",-8}  {"Time",-20}  {"Host",-16}  {"Tags",-20}{(withReasons ? "  Reasons" : "")}".TrimEnd());
        foreach (var (s, reasons) in rows)
            output.Line($"  {s.Id.Short,-8}  {Format.Time(s.Time),-20}  {s.Hostname,-16}  {string.Join(",", s.Tags),-20}{(withReasons ? "  " + reasons : "")}".TrimEnd());
    }
}
