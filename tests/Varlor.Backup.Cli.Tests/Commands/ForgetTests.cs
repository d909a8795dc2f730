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
        CliAssert.OneLineError(await cli.RunAsync("forget", "--keep-within", "3w"), 1, "--keep-within");
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
}
