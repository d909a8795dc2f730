using System.Text.Json;

namespace Varlor.Backup.Postgres.Tests;

/// <summary>'latest' among real dumps and file backups in one repository: the filters choose, the kinds never mix.</summary>
public sealed class LatestFilterTests
{
    [Fact]
    public async Task Latest_is_chosen_within_the_filters_and_refused_when_it_would_mix_dumps_and_files()
    {
        await using var h = await DbHarness.CreateAsync("latest");
        await h.CreateVarlorSchemaAsync(datasets: 50);
        // Progress lines as often as possible, so that even this small dump and restore show one (not with --json).
        h.Env["VARLOR_PROGRESS_SECONDS"] = "0.01";
        var monthly = await h.RunAsync("db", "dump", "--tag", "monthly", "--json");
        monthly.AssertSuccess();
        Assert.DoesNotContain("db dump:", monthly.Stderr);
        var monthlyId = JsonDocument.Parse(monthly.Stdout).RootElement.GetProperty("short_id").GetString()!;
        await h.ExecAsync("UPDATE tenants SET name = 'later'");
        var dump = await h.RunAsync("db", "dump");
        dump.AssertSuccess();
        Assert.Matches(@"\] db dump: [\d.]+ [KM]?i?B, ", dump.Stderr);

        var files = Path.Combine(h.Root, "datasets");
        Directory.CreateDirectory(Path.Combine(files, "x"));
        await File.WriteAllTextAsync(Path.Combine(files, "x", "data.csv"), "id\n1\n");
        (await h.RunAsync("backup", files, "--tag", "files")).AssertSuccess();
        // The newest snapshot is now a dump again: the case where an unfiltered 'latest' restored the wrong thing.
        (await h.RunAsync("db", "dump")).AssertSuccess();

        var target = Path.Combine(h.Root, "restored");
        var ambiguous = await h.RunAsync("restore", "latest", "--target", target, "--include", files + "/x");
        ambiguous.AssertOneLineError(1, "'latest' is ambiguous");
        Assert.Contains("is a database dump (tag db); add --tag files for the newest file backup", ambiguous.Stderr);
        Assert.False(Directory.Exists(target));

        (await h.RunAsync("restore", "latest", "--tag", "files", "--target", target, "--include", files + "/x")).AssertSuccess();
        Assert.Equal("id\n1\n", await File.ReadAllTextAsync(target + files + "/x/data.csv"));

        // db restore: 'latest' is the latest dump, and --tag narrows it to the monthly one (before the rename).
        var copy = h.NewName("monthly");
        var restore = await h.RunAsync("db", "restore", "latest", "--tag", "monthly", "--target-db", copy);
        restore.AssertSuccess();
        Assert.Contains($"snapshot {monthlyId}:", restore.Stdout);
        Assert.Matches(@"\] db restore: [\d.]+ [KM]?i?B/[\d.]+ [KM]?i?B, ", restore.Stderr);
        Assert.Equal("acme", await h.ScalarAsync<string>("SELECT name FROM tenants", copy));

        var none = await h.RunAsync("db", "restore", "latest", "--tag", "weekly", "--target-db", h.NewName("none"));
        none.AssertOneLineError(1, "no database dump matches --tag weekly");
    }
}
