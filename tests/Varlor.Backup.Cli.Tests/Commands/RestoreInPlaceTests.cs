using System.Diagnostics;
using System.Text.Json;
using Varlor.Backup.Cli.Tests.Support;

namespace Varlor.Backup.Cli.Tests.Commands;

/// <summary>
/// `restore --target /` as the README and the runbooks print it. The test's folder stands for /var/www/varlor: the
/// snapshot holds its absolute path, so "/" as target puts files back there and nowhere else.
/// </summary>
public sealed class RestoreInPlaceTests
{
    private static async Task<(CliHarness Cli, string Datasets)> BackedUpTreeAsync()
    {
        var cli = new CliHarness();
        var datasets = cli.Path_("varlor/storage/datasets");
        foreach (var t in new[] { "tenant-abc", "tenant-def" })
            foreach (var d in new[] { "101", "102" })
            {
                Directory.CreateDirectory($"{datasets}/{t}/{d}");
                File.WriteAllText($"{datasets}/{t}/{d}/export.csv", $"id,tenant\n1,{t}\n2,{d}\n");
            }
        CliAssert.Success(await cli.RunAsync("init"));
        CliAssert.Success(await cli.RunAsync("backup", cli.Path_("varlor")));
        return (cli, datasets);
    }

    private static (string Content, DateTime Mtime) ContentAndMtime(string file) => (File.ReadAllText(file), File.GetLastWriteTimeUtc(file));

    [Fact]
    public async Task One_dataset_goes_back_in_place_with_target_root_and_the_rest_stays_as_it_is()
    {
        var (cli, datasets) = await BackedUpTreeAsync();
        using var _ = cli;
        var dataset = datasets + "/tenant-abc/101";
        File.WriteAllText(dataset + "/export.csv", "broken by a bad import\n");
        File.WriteAllText(dataset + "/added-after.csv", "x\n");
        File.WriteAllText(datasets + "/tenant-abc/102/export.csv", "changed on purpose\n");
        var sibling = ContentAndMtime(datasets + "/tenant-abc/102/export.csv");
        var otherTenant = ContentAndMtime(datasets + "/tenant-def/101/export.csv");

        // The whole snapshot over / is refused without a terminal to confirm on; nothing changes.
        CliAssert.OneLineError(await cli.RunAsync("restore", "latest", "--target", "/"), 1, "add --include PATH");
        Assert.Equal("broken by a bad import\n", File.ReadAllText(dataset + "/export.csv"));

        CliAssert.Success(await cli.RunAsync("restore", "latest", "--target", "/", "--include", dataset));
        Assert.Equal("id,tenant\n1,tenant-abc\n2,101\n", File.ReadAllText(dataset + "/export.csv"));
        Assert.True(File.Exists(dataset + "/added-after.csv"));
        Assert.Equal(sibling, ContentAndMtime(datasets + "/tenant-abc/102/export.csv"));
        Assert.Equal(otherTenant, ContentAndMtime(datasets + "/tenant-def/101/export.csv"));

        var deleting = await cli.RunAsync("restore", "latest", "--target", "/", "--include", dataset, "--delete", "--json");
        CliAssert.Success(deleting);
        using (var doc = JsonDocument.Parse(deleting.Stdout)) Assert.Equal(1, doc.RootElement.GetProperty("deleted").GetInt32());
        Assert.False(File.Exists(dataset + "/added-after.csv"));
        Assert.Equal(sibling, ContentAndMtime(datasets + "/tenant-abc/102/export.csv"));
        Assert.Empty(Directory.GetFiles(cli.Root, ".varlor-restore-*", SearchOption.AllDirectories));

        // --force: the whole snapshot (only the test's tree) back in place.
        CliAssert.Success(await cli.RunAsync("restore", "latest", "--target", "/", "--force"));
        Assert.Equal("id,tenant\n1,tenant-abc\n2,102\n", File.ReadAllText(datasets + "/tenant-abc/102/export.csv"));
    }

    [Fact]
    public async Task On_a_terminal_a_whole_snapshot_over_root_goes_on_only_after_yes()
    {
        var (cli, datasets) = await BackedUpTreeAsync();
        using var _ = cli;
        var file = datasets + "/tenant-abc/101/export.csv";
        File.WriteAllText(file, "broken\n");

        var refused = await OnTerminalAsync(cli, "no", "restore", "latest", "--target", "/");
        Assert.True(refused.ExitCode == 1, refused.Output);
        Assert.Contains("type yes to go on", refused.Output);
        Assert.Contains("error: not confirmed: nothing was changed", refused.Output);
        Assert.Equal("broken\n", File.ReadAllText(file));

        var accepted = await OnTerminalAsync(cli, "yes", "restore", "latest", "--target", "/");
        Assert.True(accepted.ExitCode == 0, accepted.Output);
        Assert.Equal("id,tenant\n1,tenant-abc\n2,101\n", File.ReadAllText(file));
    }

    /// <summary>Runs the program on a pseudo-terminal (util-linux script) and types <paramref name="answer"/>.</summary>
    private static async Task<(int ExitCode, string Output)> OnTerminalAsync(CliHarness cli, string answer, params string[] args)
    {
        var inner = cli.StartInfo(args);
        var command = string.Join(' ', new[] { inner.FileName }.Concat(inner.ArgumentList).Select(a => "'" + a.Replace("'", "'\\''") + "'"));
        var psi = new ProcessStartInfo("script", ["-qec", command, "/dev/null"])
        {
            RedirectStandardInput = true, RedirectStandardOutput = true, RedirectStandardError = true,
        };
        foreach (var (k, v) in inner.Environment) psi.Environment[k] = v;
        using var p = Process.Start(psi)!;
        var output = p.StandardOutput.ReadToEndAsync();
        var errors = p.StandardError.ReadToEndAsync();
        await p.StandardInput.WriteLineAsync(answer);
        await p.StandardInput.FlushAsync();
        using var cts = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        await p.WaitForExitAsync(cts.Token);
        p.StandardInput.Close();
        return (p.ExitCode, await output + await errors);
    }

    [Fact]
    public async Task A_dry_run_lists_each_change_and_changes_nothing()
    {
        var (cli, datasets) = await BackedUpTreeAsync();
        using var _ = cli;
        var tenant = datasets + "/tenant-def";
        File.WriteAllText(tenant + "/101/export.csv", "edited\n");
        Directory.Delete(tenant + "/102", recursive: true);
        File.WriteAllText(tenant + "/stray.csv", "stray\n");
        var before = Directory.GetFileSystemEntries(cli.Path_("varlor"), "*", SearchOption.AllDirectories).Order().Select(Describe).ToList();

        var json = await cli.RunAsync("restore", "latest", "--target", "/", "--include", tenant, "--delete", "--dry-run", "--json");
        CliAssert.Success(json);
        using (var doc = JsonDocument.Parse(json.Stdout))
        {
            var root = doc.RootElement;
            Assert.True(root.GetProperty("dry_run").GetBoolean());
            var changes = root.GetProperty("changes").EnumerateArray().Select(c => c.GetProperty("action").GetString() + " " + c.GetProperty("path").GetString());
            Assert.Equal(
                new[] { $"replace {tenant}/101/export.csv", $"create {tenant}/102", $"create {tenant}/102/export.csv", $"delete {tenant}/stray.csv" },
                changes);
            Assert.Equal((2, 1, 1), (root.GetProperty("created").GetInt32(), root.GetProperty("replaced").GetInt32(), root.GetProperty("deleted").GetInt32()));
        }
        var text = await cli.RunAsync("restore", "latest", "--target", "/", "--include", tenant, "--dry-run");
        CliAssert.Success(text);
        Assert.Contains($"replace {tenant}/101/export.csv", text.Stdout);
        Assert.Contains("2 to create, 1 to replace, 0 to delete", text.Stdout);
        Assert.Equal(before, Directory.GetFileSystemEntries(cli.Path_("varlor"), "*", SearchOption.AllDirectories).Order().Select(Describe).ToList());
    }

    private static string Describe(string path) =>
        File.Exists(path) ? $"{path}:{File.ReadAllText(path)}:{File.GetLastWriteTimeUtc(path).Ticks}" : $"{path}/:{Directory.GetLastWriteTimeUtc(path).Ticks}";

    [Fact]
    public async Task A_relative_include_is_taken_from_the_current_folder()
    {
        var (cli, datasets) = await BackedUpTreeAsync();
        using var _ = cli;
        File.WriteAllText(datasets + "/tenant-def/102/export.csv", "lost\n");
        File.WriteAllText(datasets + "/tenant-abc/102/export.csv", "kept\n");
        cli.WorkingDirectory = datasets;
        CliAssert.Success(await cli.RunAsync("restore", "latest", "--target", "/", "--include", "tenant-def/102"));
        Assert.Equal("id,tenant\n1,tenant-def\n2,102\n", File.ReadAllText(datasets + "/tenant-def/102/export.csv"));
        Assert.Equal("kept\n", File.ReadAllText(datasets + "/tenant-abc/102/export.csv"));
    }
}
