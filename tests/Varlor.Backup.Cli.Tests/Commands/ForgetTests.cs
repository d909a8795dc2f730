using System.Globalization;
using System.Text.Json;
using Varlor.Backup.Cli.Tests.Support;

namespace Varlor.Backup.Cli.Tests.Commands;

/// <summary>forget through the real program, on a history imported with backup --time.</summary>
public sealed class ForgetTests
{
    private const string Host = "db-host";

    /// <summary>90 daily snapshots, 1 January .. 31 March 2026 at 02:00Z, of one tiny file; plus one of another host.</summary>
    private static async Task<CliHarness> NinetyDaysAsync()
    {
        var cli = new CliHarness();
        var src = cli.Path_("src");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "dump.sql"), "select 1;\n");
        CliAssert.Success(await cli.RunAsync("init"));
        var days = Enumerable.Range(0, 90).Select(i => new DateTime(2026, 1, 1, 2, 0, 0, DateTimeKind.Utc).AddDays(i)).ToList();
        // One after the other: concurrent backups can still trip over each other's short-lived locks (a lock file
        // deleted between listing and reading is reported as unreadable).
        foreach (var day in days)
            CliAssert.Success(await cli.RunAsync("backup", src, "--host", Host, "--tag", "db", "--time", Iso(day), "--quiet"));
        CliAssert.Success(await cli.RunAsync("backup", src, "--host", "other-host", "--time", "2026-01-15T02:00:00Z", "--quiet"));
        return cli;
    }

    private static string Iso(DateTime utc) => utc.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    private static string Day(JsonElement snapshot) =>
        snapshot.GetProperty("time").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);

    private static async Task<string[]> SnapshotDaysAsync(CliHarness cli, string host)
    {
        var r = await cli.RunAsync("snapshots", "--json", "--host", host);
        CliAssert.Success(r);
        using var doc = JsonDocument.Parse(r.Stdout);
        return [.. doc.RootElement.EnumerateArray().Select(Day)];
    }

    // Newest first, 31 March 2026 is a Tuesday: keep-daily 7 keeps 31 .. 25 March; keep-weekly 4 keeps 31 March
    // (week of Mon 30 March), then the Sundays 29, 22 and 15 March. The oldest (1 January) is not kept: both
    // counters are exhausted before it.
    private static readonly string[] ExpectedKept =
    [
        "2026-03-31: daily, weekly", "2026-03-30: daily", "2026-03-29: daily, weekly", "2026-03-28: daily", "2026-03-27: daily",
        "2026-03-26: daily", "2026-03-25: daily", "2026-03-22: weekly", "2026-03-15: weekly",
    ];

    [Fact]
    public async Task Daily_and_weekly_policy_dry_run_then_for_real()
    {
        using var cli = await NinetyDaysAsync();

        var dry = await cli.RunAsync("forget", "--keep-daily", "7", "--keep-weekly", "4", "--time-zone", "UTC", "--dry-run", "--json");
        CliAssert.Success(dry);
        using (var doc = JsonDocument.Parse(dry.Stdout))
        {
            var root = doc.RootElement;
            Assert.True(root.GetProperty("dry_run").GetBoolean());
            Assert.Equal(0, root.GetProperty("removed").GetInt32());
            var groups = root.GetProperty("groups").EnumerateArray().ToList();
            Assert.Equal([Host, "other-host"], groups.Select(g => g.GetProperty("host").GetString()));

            var db = groups[0];
            Assert.Equal([cli.Path_("src")], db.GetProperty("paths").EnumerateArray().Select(p => p.GetString()));
            var kept = db.GetProperty("keep").EnumerateArray()
                .Select(s => Day(s) + ": " + string.Join(", ", s.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()))).ToArray();
            Assert.Equal(ExpectedKept, kept);
            var removed = db.GetProperty("remove").EnumerateArray().Select(Day).ToList();
            Assert.Equal(81, removed.Count);
            Assert.Equal("2026-03-24", removed[0]);
            Assert.Equal("2026-01-01", removed[^1]);
            Assert.DoesNotContain("2026-03-22", removed);

            // The other host is its own group: its only snapshot is kept.
            Assert.Equal("2026-01-15", Day(Assert.Single(groups[1].GetProperty("keep").EnumerateArray())));
            Assert.Empty(groups[1].GetProperty("remove").EnumerateArray());
        }
        Assert.Equal(90, (await SnapshotDaysAsync(cli, Host)).Length); // a dry run deletes nothing
        Assert.Equal(91, Directory.GetFiles(Path.Combine(cli.Repo, "snapshots")).Length);

        var real = await cli.RunAsync("forget", "--keep-daily", "7", "--keep-weekly", "4", "--time-zone", "UTC");
        CliAssert.Success(real);
        Assert.Contains("removed 81 snapshots", real.Stdout);
        Assert.Contains("keep 9 snapshots:", real.Stdout);
        Assert.Contains("daily, weekly", real.Stdout);

        Assert.Equal(ExpectedKept.Select(k => k[..10]).Reverse(), await SnapshotDaysAsync(cli, Host));
        Assert.Equal(["2026-01-15"], await SnapshotDaysAsync(cli, "other-host"));
        Assert.Empty(Directory.GetFiles(Path.Combine(cli.Repo, "locks")));

        // Applying the same policy again removes nothing more.
        var again = await cli.RunAsync("forget", "--keep-daily", "7", "--keep-weekly", "4", "--time-zone", "UTC", "--json");
        CliAssert.Success(again);
        using (var doc = JsonDocument.Parse(again.Stdout)) Assert.Equal(0, doc.RootElement.GetProperty("removed").GetInt32());
    }

    [Fact]
    public async Task Keep_tag_host_filter_group_by_and_bad_policies()
    {
        using var cli = new CliHarness();
        var src = cli.Path_("src");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "a.csv"), "a\n");
        CliAssert.Success(await cli.RunAsync("init"));
        CliAssert.Success(await cli.RunAsync("backup", src, "--host", "web", "--time", "2026-05-01T02:00:00Z", "--tag", "pre-deployment"));
        CliAssert.Success(await cli.RunAsync("backup", src, "--host", "web", "--time", "2026-05-02T02:00:00Z"));
        CliAssert.Success(await cli.RunAsync("backup", src, "--host", "web", "--time", "2026-05-03T02:00:00Z"));
        CliAssert.Success(await cli.RunAsync("backup", src, "--host", "db", "--time", "2026-05-01T02:00:00Z"));

        // Nothing to go by: refused, nothing removed.
        CliAssert.OneLineError(await cli.RunAsync("forget"), 1, "no retention rule given");
        CliAssert.OneLineError(await cli.RunAsync("forget", "--keep-within", "3x"), 1, "--keep-within");
        CliAssert.OneLineError(await cli.RunAsync("forget", "--keep-within-daily", "30"), 1, "--keep-within-daily '30': no unit");
        CliAssert.OneLineError(await cli.RunAsync("forget", "--keep-within-yearly", "-2y"), 1, "--keep-within-yearly");
        CliAssert.OneLineError(await cli.RunAsync("forget", "--keep-daily", "-2"), 1, "--keep-daily");
        CliAssert.OneLineError(await cli.RunAsync("forget", "--keep-last", "1", "--group-by", "user"), 1, "--group-by");
        CliAssert.OneLineError(await cli.RunAsync("forget", "--keep-last", "1", "--time-zone", "Nowhere/Atlantis"), 1, "--time-zone");
        Assert.Equal(4, Directory.GetFiles(Path.Combine(cli.Repo, "snapshots")).Length);

        // Only host web is considered; keep-last 1 plus the pre-deployment tag: 2 May goes.
        var r = await cli.RunAsync("forget", "--host", "web", "--keep-last", "1", "--keep-tag", "pre-deployment", "--keep-daily", "unlimited", "--dry-run", "--json");
        CliAssert.Success(r);
        using (var doc = JsonDocument.Parse(r.Stdout))
        {
            var g = Assert.Single(doc.RootElement.GetProperty("groups").EnumerateArray());
            Assert.Equal(
                ["2026-05-03: last, daily", "2026-05-02: daily", "2026-05-01: tag, daily"],
                g.GetProperty("keep").EnumerateArray().Select(s => Day(s) + ": " + string.Join(", ", s.GetProperty("reasons").EnumerateArray().Select(x => x.GetString()))));
        }
        r = await cli.RunAsync("forget", "--host", "web", "--keep-last", "1", "--keep-tag", "pre-deployment");
        CliAssert.Success(r);
        Assert.Contains("removed 1 snapshot\n", r.Stdout);
        Assert.Equal(["2026-05-01", "2026-05-03"], await SnapshotDaysAsync(cli, "web"));

        // One group for everything: keep-last 1 keeps only the newest of all hosts.
        r = await cli.RunAsync("forget", "--group-by", "", "--keep-last", "1", "--dry-run", "--json");
        CliAssert.Success(r);
        using (var doc = JsonDocument.Parse(r.Stdout))
        {
            var g = Assert.Single(doc.RootElement.GetProperty("groups").EnumerateArray());
            Assert.Equal("2026-05-03", Day(Assert.Single(g.GetProperty("keep").EnumerateArray())));
            Assert.Equal(2, g.GetProperty("remove").GetArrayLength());
        }
    }

    /// <summary>The guide's file-storage row as the operator's guide prints it, on a server whose clock is in Paris.</summary>
    private static readonly string[] FilesRow =
        ["forget", "--tag", "files", "--keep-within-daily", "30d", "--keep-within-weekly", "12w", "--keep-within-monthly", "6m", "--keep-within-yearly", "2y", "--keep-tag", "pre-deployment"];

    // Back-dated backups at 02:30 in Paris (00:30Z in summer time, 01:30Z in winter time; on 29 March 2026, when the
    // clocks went forward at 02:00, at 03:30), with what the files row does to them, worked by hand. The newest is
    // Friday 10 April 2026 02:30; each rule keeps the newest snapshot of each of its periods strictly after the newest
    // minus its duration on Paris's calendar: 30d after 11 March 02:30 (719 hours: the clocks went forward), 12w
    // after 16 January 02:30, 6m after 10 October 2025 02:30, 2y after 10 April 2024 02:30.
    private static readonly (string Utc, string Tags, string Reasons)[] FilesHistory =
    [
        ("2026-04-10T00:30:00Z", "files", "within-daily, within-weekly, within-monthly, within-yearly"),
        ("2026-04-09T00:30:00Z", "files", "within-daily"),
        ("2026-04-05T00:30:00Z", "files", "within-daily, within-weekly"),     // Sunday, ISO week 14
        ("2026-03-31T00:30:00Z", "files", "within-daily, within-monthly"),    // week 14 has 5 April
        ("2026-03-29T01:30:00Z", "files", "within-daily, within-weekly"),     // 03:30 CEST, Sunday of week 13
        ("2026-03-15T01:30:00Z", "files", "within-daily, within-weekly"),     // Sunday of week 11
        ("2026-03-11T01:30:00Z", "files", ""),                                // exactly 30 calendar days: out
        ("2026-01-18T01:30:00Z", "files", "within-weekly, within-monthly"),   // Sunday of week 3; January's only
        ("2025-12-31T01:30:00Z", "files", "within-monthly, within-yearly"),
        ("2025-10-31T01:30:00Z", "files", "within-monthly"),                  // 01:30Z: winter time since 26 October
        ("2025-10-09T00:30:00Z", "files", ""),                                // before 10 October, not 2025's last
        ("2024-12-27T01:30:00Z", "files", "within-yearly"),                   // 2024's last: 15 months back
        ("2024-06-01T00:30:00Z", "files", ""),
        ("2023-06-01T00:30:00Z", "files,pre-deployment", "tag"),
    ];

    [Fact]
    public async Task Guide_files_row_with_duration_rules_in_paris()
    {
        using var cli = new CliHarness();
        cli.Env["TZ"] = "Europe/Paris"; // the documented command takes the machine's time zone
        var src = cli.Path_("src");
        Directory.CreateDirectory(src);
        File.WriteAllText(Path.Combine(src, "dataset.csv"), "a,b\n1,2\n");
        CliAssert.Success(await cli.RunAsync("init"));
        foreach (var (utc, tags, _) in FilesHistory)
            CliAssert.Success(await cli.RunAsync(["backup", src, "--host", Host, "--time", utc, "--quiet", .. tags.Split(',').SelectMany(t => new[] { "--tag", t })]));
        // A database backup of 2020 is not considered by the files row (--tag files) and stays.
        CliAssert.Success(await cli.RunAsync("backup", src, "--host", Host, "--tag", "db", "--time", "2020-01-01T01:30:00Z", "--quiet"));

        static string Utc(JsonElement s) => s.GetProperty("time").GetDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);
        var dry = await cli.RunAsync([.. FilesRow, "--dry-run", "--json"]);
        CliAssert.Success(dry);
        using (var doc = JsonDocument.Parse(dry.Stdout))
        {
            Assert.Equal("Europe/Paris", doc.RootElement.GetProperty("time_zone").GetString());
            var g = Assert.Single(doc.RootElement.GetProperty("groups").EnumerateArray());
            Assert.Equal(
                FilesHistory.Where(h => h.Reasons.Length > 0).Select(h => h.Utc + ": " + h.Reasons),
                g.GetProperty("keep").EnumerateArray().Select(s => Utc(s) + ": " + string.Join(", ", s.GetProperty("reasons").EnumerateArray().Select(r => r.GetString()))));
            Assert.Equal(FilesHistory.Where(h => h.Reasons.Length == 0).Select(h => h.Utc), g.GetProperty("remove").EnumerateArray().Select(Utc));
        }
        Assert.Equal(15, Directory.GetFiles(Path.Combine(cli.Repo, "snapshots")).Length); // a dry run deletes nothing

        var real = await cli.RunAsync(FilesRow);
        CliAssert.Success(real);
        Assert.Contains("removed 3 snapshots", real.Stdout);
        Assert.Contains("within-daily, within-weekly, within-monthly, within-yearly", real.Stdout);
        Assert.Contains("the newest snapshot of each day in the 30d, ISO week in the 12w, month in the 6m, year in the 2y before the newest", real.Stdout);
        var left = await cli.RunAsync("snapshots", "--json");
        CliAssert.Success(left);
        using (var doc = JsonDocument.Parse(left.Stdout))
        {
            Assert.Equal(
                FilesHistory.Where(h => h.Reasons.Length > 0).Select(h => h.Utc).Append("2020-01-01T01:30:00Z").Order(StringComparer.Ordinal),
                doc.RootElement.EnumerateArray().Select(Utc).Order(StringComparer.Ordinal));
        }

        // The next day's run, with nothing new, removes nothing more.
        var again = await cli.RunAsync([.. FilesRow, "--json"]);
        CliAssert.Success(again);
        using (var doc = JsonDocument.Parse(again.Stdout)) Assert.Equal(0, doc.RootElement.GetProperty("removed").GetInt32());
    }
}
