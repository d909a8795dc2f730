using System.Text.Json;
using Varlor.Backup.Cli.Tests.Support;

namespace Varlor.Backup.Cli.Tests.Commands;

/// <summary>
/// 'latest' in a repository shared by file backups, dumps and base backups (here snapshots tagged as 'db dump' and
/// 'db basebackup' tag theirs; the PostgreSQL tests do it with real dumps): the filters choose, an unfiltered
/// 'latest' that could mean several kinds is refused with the filter to add.
/// </summary>
public sealed class LatestFilterTests
{
    private static async Task<string> BackupAsync(CliHarness cli, string folder, string file, string content, params string[] options)
    {
        var dir = cli.Path_(folder);
        Directory.CreateDirectory(dir);
        await File.WriteAllTextAsync(Path.Combine(dir, file), content);
        var r = await cli.RunAsync(["backup", dir, "--json", .. options]);
        CliAssert.Success(r);
        return JsonDocument.Parse(r.Stdout).RootElement.GetProperty("short_id").GetString()!;
    }

    [Fact]
    public async Task Latest_is_the_newest_snapshot_matching_tag_host_and_path_and_an_ambiguous_latest_is_refused()
    {
        using var cli = new CliHarness();
        CliAssert.Success(await cli.RunAsync("init"));
        var oldFiles = await BackupAsync(cli, "datasets", "a.csv", "old\n", "--tag", "files", "--tag", "daily", "--host", "web1", "--time", "2026-11-01T01:00:00Z");
        var files = await BackupAsync(cli, "datasets", "a.csv", "new\n", "--tag", "files", "--host", "web1", "--time", "2026-11-02T01:00:00Z");
        var logs = await BackupAsync(cli, "logs", "app.log", "log\n", "--tag", "files", "--host", "web2", "--time", "2026-11-02T02:00:00Z");
        await BackupAsync(cli, "basebackup", "base.tar", "tar\n", "--tag", "basebackup", "--time", "2026-11-02T03:00:00Z");
        await BackupAsync(cli, "dump", "dump.pgdump", "dump\n", "--tag", "db", "--time", "2026-11-02T04:00:00Z");
        var datasets = cli.Path_("datasets");
        var target = cli.Path_("restored");

        // The newest snapshot is a dump: restoring a dataset from 'latest' used to fail with "nothing matches".
        var ambiguous = await cli.RunAsync("restore", "latest", "--target", target, "--include", datasets + "/a.csv");
        CliAssert.OneLineError(ambiguous, 1, "'latest' is ambiguous: the repository holds file backups, database dumps and base backups");
        Assert.Contains("the newest snapshot", ambiguous.Stderr);
        Assert.Contains("is a database dump (tag db); add --tag files for the newest file backup, --tag db for the newest database dump, --tag basebackup for the newest base backup", ambiguous.Stderr);
        Assert.False(Directory.Exists(target));
        CliAssert.OneLineError(await cli.RunAsync("ls", "latest"), 1, "'latest' is ambiguous");

        // --path: the snapshot backed up that path (the logs snapshot is newer but does not).
        var restore = await cli.RunAsync("restore", "latest", "--tag", "files", "--path", datasets + "/", "--target", target, "--include", datasets + "/a.csv");
        CliAssert.Success(restore);
        Assert.Contains($"restored snapshot {files}", restore.Stdout);
        Assert.Equal("new\n", await File.ReadAllTextAsync(target + datasets + "/a.csv"));

        // --tag: all must match (repeatable or a,b); --host.
        Assert.Contains($"snapshot {oldFiles}", (await cli.RunAsync("restore", "latest", "--tag", "files,daily", "--target", cli.Path_("r2"))).Stdout);
        Assert.Contains($"snapshot {oldFiles}", (await cli.RunAsync("restore", "latest", "--tag", "files", "--tag", "daily", "--target", cli.Path_("r3"))).Stdout);
        Assert.Contains($"snapshot {logs}", (await cli.RunAsync("restore", "latest", "--tag", "files", "--host", "web2", "--target", cli.Path_("r4"))).Stdout);
        var ls = await cli.RunAsync("ls", "latest", "--tag", "files");
        CliAssert.Success(ls);
        Assert.Contains("app.log", ls.Stdout);

        // diff: both names resolved within the same filters.
        var diff = await cli.RunAsync("diff", oldFiles, "latest", "--path", datasets);
        CliAssert.Success(diff);
        Assert.Contains("M    " + datasets + "/a.csv", diff.Stdout);

        // An id that does not match the filters is an error, not silently another snapshot.
        CliAssert.OneLineError(await cli.RunAsync("ls", files, "--tag", "db"), 1, $"snapshot {files} does not match --tag db");
        CliAssert.OneLineError(await cli.RunAsync("ls", "latest", "--tag", "weekly"), 1, "no snapshot matches --tag weekly");

        // snapshots and copy take the same filters; copy's 'latest' is the latest that matches.
        var listed = await cli.RunAsync("snapshots", "--path", datasets, "--json");
        CliAssert.Success(listed);
        Assert.Equal(2, JsonDocument.Parse(listed.Stdout).RootElement.GetArrayLength());
        var offsite = cli.Path_("offsite");
        CliAssert.Success(await cli.RunAsync("init", "--repo", offsite));
        cli.Env["VARLOR_FROM_PASSWORD"] = cli.Env["VARLOR_PASSWORD"];
        var copy = await cli.RunAsync("copy", "--from-repo", cli.Repo, "--to-repo", offsite, "latest", "--tag", "files", "--host", "web1");
        CliAssert.Success(copy);
        Assert.Contains($"snapshot {files} copied", copy.Stdout);
        Assert.DoesNotContain(oldFiles, copy.Stdout);
    }

    [Fact]
    public async Task Latest_in_a_repository_of_one_kind_needs_no_filter()
    {
        using var cli = new CliHarness();
        CliAssert.Success(await cli.RunAsync("init"));
        await BackupAsync(cli, "a", "1", "1");
        await BackupAsync(cli, "b", "2", "2");
        var ls = await cli.RunAsync("ls", "latest");
        CliAssert.Success(ls);
        Assert.Contains(cli.Path_("b") + "/2", ls.Stdout);
    }
}
