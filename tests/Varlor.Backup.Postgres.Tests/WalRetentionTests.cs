using System.Text.Json;

namespace Varlor.Backup.Postgres.Tests;

/// <summary>Base backups and their WAL are kept and removed together.</summary>
public sealed class WalRetentionTests
{
    [Fact]
    public async Task Forgetting_the_oldest_base_backup_removes_only_the_wal_before_the_oldest_kept_one()
    {
        await using var h = await WalHarness.StartAsync();
        await h.ExecAsync("CREATE TABLE marks (id int PRIMARY KEY, note text)");
        (await h.RunAsync("db", "basebackup")).AssertSuccess();
        for (var i = 0; i < 3; i++)
        {
            await h.ExecAsync($"INSERT INTO marks SELECT g, 'round {i}' FROM generate_series({i * 100 + 1}, {i * 100 + 100}) g");
            await h.SwitchAndWaitArchivedAsync();
        }
        var second = await h.RunAsync("db", "basebackup", "--json");
        second.AssertSuccess();
        var startLsn = JsonDocument.Parse(second.Stdout).RootElement.GetProperty("manifest").GetProperty("start_lsn").GetString()!;
        await h.ExecAsync("INSERT INTO marks SELECT g, 'after' FROM generate_series(1001, 1100) g");
        var last = await h.SwitchAndWaitArchivedAsync();

        var firstKept = await h.ScalarAsync<string>($"SELECT pg_walfile_name('{startLsn}'::pg_lsn + 1)"); // + 1: on a segment boundary pg_walfile_name names the previous segment
        var walDir = Path.Combine(h.Repo, "wal");
        string[] Segments() => [.. Directory.GetFiles(walDir).Select(Path.GetFileName).Where(n => n!.Length == 24).Order(StringComparer.Ordinal)!];
        var before = Segments();
        Assert.Contains(before, n => string.CompareOrdinal(n, firstKept) < 0);

        var dry = await h.RunAsync("forget", "--keep-last", "1", "--prune", "--dry-run");
        dry.AssertSuccess();
        Assert.Contains("wal: would remove", dry.Stdout);
        Assert.Equal(before, Segments());

        var forget = await h.RunAsync("forget", "--keep-last", "1", "--prune");
        forget.AssertSuccess();
        var after = Segments();
        Assert.Equal(before.Where(n => string.CompareOrdinal(n, firstKept) >= 0), after);
        Assert.Contains(last, after);
        Assert.Contains($"kept from {firstKept}", forget.Stdout);

        // What is left still recovers: the window starts at the kept backup and has no gap.
        var status = await h.RunAsync("wal", "status", "--json");
        status.AssertSuccess();
        var timeline = JsonDocument.Parse(status.Stdout).RootElement.GetProperty("timelines")[0];
        Assert.Empty(timeline.GetProperty("gaps").EnumerateArray());
        Assert.Single(timeline.GetProperty("recoverable").EnumerateArray());
        (await h.RunAsync("check", "--read-data")).AssertSuccess();
    }
}
