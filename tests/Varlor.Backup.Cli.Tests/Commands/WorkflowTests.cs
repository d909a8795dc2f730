using System.Text.Json;
using Varlor.Backup.Cli.Tests.Support;

namespace Varlor.Backup.Cli.Tests.Commands;

/// <summary>The README's main job, through the real program: back up a Varlor tree, list, restore a tenant.</summary>
public sealed class WorkflowTests
{
    private static void MakeTree(string root)
    {
        for (var t = 0; t < 3; t++)
            for (var d = 0; d < 2; d++)
            {
                var dir = Path.Combine(root, "storage", "datasets", $"tenant-{t}", $"{100 + d}");
                Directory.CreateDirectory(dir);
                File.WriteAllText(Path.Combine(dir, "data.csv"), string.Concat(Enumerable.Range(0, 2000).Select(i => $"{i},{t},{d},value-{i * 7 % 13}\n")));
            }
        Directory.CreateDirectory(Path.Combine(root, "logs"));
        File.WriteAllText(Path.Combine(root, "logs", "app.log"), "started\n");
    }

    [Fact]
    public async Task Backup_list_restore_diff_stats_and_keys_work_end_to_end()
    {
        using var cli = new CliHarness();
        var src = cli.Path_("varlor");
        MakeTree(src);
        CliAssert.Success(await cli.RunAsync("init"));

        var backup = await cli.RunAsync("backup", src, "--tag", "pre-deployment", "--json");
        CliAssert.Success(backup);
        using (var doc = JsonDocument.Parse(backup.Stdout))
        {
            Assert.Equal(7, doc.RootElement.GetProperty("summary").GetProperty("files_new").GetInt32());
            Assert.Equal(0, doc.RootElement.GetProperty("failed_files").GetArrayLength());
        }

        File.AppendAllText(Path.Combine(src, "logs", "app.log"), "more\n");
        Directory.Delete(Path.Combine(src, "storage", "datasets", "tenant-2", "101"), recursive: true);
        var second = await cli.RunAsync("backup", src);
        CliAssert.Success(second);
        Assert.Contains("1 changed, 5 unmodified", second.Stdout);

        var snaps = await cli.RunAsync("snapshots", "--json");
        CliAssert.Success(snaps);
        using var list = JsonDocument.Parse(snaps.Stdout);
        Assert.Equal(2, list.RootElement.GetArrayLength());
        var firstId = list.RootElement[0].GetProperty("short_id").GetString()!;
        Assert.Equal("pre-deployment", list.RootElement[0].GetProperty("tags")[0].GetString());

        var tenantPath = src + "/storage/datasets/tenant-1";
        var ls = await cli.RunAsync("ls", "latest", tenantPath);
        CliAssert.Success(ls);
        Assert.Contains(tenantPath + "/100/data.csv", ls.Stdout);
        Assert.DoesNotContain("tenant-0", ls.Stdout);

        var target = cli.Path_("restored");
        var restore = await cli.RunAsync("restore", "latest", "--target", target, "--include", tenantPath);
        CliAssert.Success(restore);
        foreach (var file in Directory.GetFiles(tenantPath, "*", SearchOption.AllDirectories))
            Assert.Equal(File.ReadAllBytes(file), File.ReadAllBytes(target + file));
        Assert.False(Directory.Exists(target + src + "/storage/datasets/tenant-0"));

        var deleted = await cli.RunAsync("restore", firstId, "--target", cli.Path_("from-first"), "--include", src + "/storage/datasets/tenant-2/101/data.csv");
        CliAssert.Success(deleted);
        Assert.True(File.Exists(cli.Path_("from-first") + src + "/storage/datasets/tenant-2/101/data.csv"));

        var diff = await cli.RunAsync("diff", firstId, "latest");
        CliAssert.Success(diff);
        Assert.Contains("-    " + src + "/storage/datasets/tenant-2/101/", diff.Stdout);
        Assert.Contains("M    " + src + "/logs/app.log", diff.Stdout);

        var stats = await cli.RunAsync("stats", "--json");
        CliAssert.Success(stats);
        using (var doc = JsonDocument.Parse(stats.Stdout))
            Assert.Equal(2, doc.RootElement.GetProperty("snapshots").GetInt32());

        File.WriteAllText(cli.Path_("newpw"), "second password\n");
        CliAssert.Success(await cli.RunAsync("key", "add", "--new-password-file", cli.Path_("newpw")));
        cli.Env["VARLOR_PASSWORD"] = null;
        var keys = await cli.RunAsync("key", "list", "--json", "--password-file", cli.Path_("newpw"));
        CliAssert.Success(keys);
        using (var doc = JsonDocument.Parse(keys.Stdout))
            Assert.Equal(2, doc.RootElement.GetArrayLength());
    }

    [Fact]
    public async Task Output_off_a_terminal_has_no_progress_bar_escape_codes()
    {
        using var cli = new CliHarness();
        var src = cli.Path_("varlor");
        MakeTree(src);
        CliAssert.Success(await cli.RunAsync("init"));
        var r = await cli.RunAsync("backup", src);
        CliAssert.Success(r);
        Assert.DoesNotContain("\u001b[", r.Stdout + r.Stderr);
        Assert.Contains("snapshot", r.Stdout);
        var quiet = await cli.RunAsync("backup", src, "--quiet");
        CliAssert.Success(quiet);
        Assert.Equal("", quiet.Stdout + quiet.Stderr);
    }
}
