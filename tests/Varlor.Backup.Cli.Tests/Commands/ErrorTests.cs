using System.Diagnostics;
using Varlor.Backup.Cli.Tests.Support;

namespace Varlor.Backup.Cli.Tests.Commands;

/// <summary>Bad input: each gets one clear line, its documented exit code, and leaves the repository as it was.</summary>
public sealed class ErrorTests
{
    private static async Task<CliHarness> InitializedAsync()
    {
        var cli = new CliHarness();
        Directory.CreateDirectory(cli.Path_("src"));
        File.WriteAllText(cli.Path_("src/a.csv"), "a,b\n1,2\n");
        CliAssert.Success(await cli.RunAsync("init"));
        CliAssert.Success(await cli.RunAsync("backup", cli.Path_("src")));
        return cli;
    }

    private static string[] RepoFiles(CliHarness cli) =>
        [.. Directory.GetFiles(cli.Repo, "*", SearchOption.AllDirectories).Select(f => f + ":" + new FileInfo(f).Length).Order()];

    [Fact]
    public async Task Missing_repository_exits_10()
    {
        using var cli = new CliHarness();
        CliAssert.OneLineError(await cli.RunAsync("snapshots"), 10, "no repository at");
    }

    [Fact]
    public async Task Wrong_password_exits_12_and_changes_nothing()
    {
        using var cli = await InitializedAsync();
        var before = RepoFiles(cli);
        cli.Env["VARLOR_PASSWORD"] = "wrong";
        CliAssert.OneLineError(await cli.RunAsync("backup", cli.Path_("src")), 12, "wrong password");
        Assert.Equal(before, RepoFiles(cli));
    }

    [Fact]
    public async Task No_password_off_a_terminal_says_how_to_give_one()
    {
        using var cli = await InitializedAsync();
        cli.Env["VARLOR_PASSWORD"] = null;
        CliAssert.OneLineError(await cli.RunAsync("snapshots"), 1, "VARLOR_PASSWORD");
    }

    [Fact]
    public async Task A_path_that_does_not_exist_fails_cleanly()
    {
        using var cli = await InitializedAsync();
        var before = RepoFiles(cli);
        CliAssert.OneLineError(await cli.RunAsync("backup", cli.Path_("nope")), 1, "path does not exist");
        Assert.Equal(before, RepoFiles(cli));
    }

    [Fact]
    public async Task Snapshot_ids_that_match_nothing_or_are_malformed_fail_cleanly()
    {
        using var cli = await InitializedAsync();
        CliAssert.OneLineError(await cli.RunAsync("ls", "abcdef12"), 1, "no snapshot matches");
        CliAssert.OneLineError(await cli.RunAsync("restore", "zz", "--target", cli.Path_("t")), 1, "is not a snapshot id");
        CliAssert.OneLineError(await cli.RunAsync("restore", "latest"), 1, "--target");
    }

    [Fact]
    public async Task Init_over_an_existing_repository_refuses()
    {
        using var cli = await InitializedAsync();
        var before = RepoFiles(cli);
        CliAssert.OneLineError(await cli.RunAsync("init"), 1, "already exists");
        Assert.Equal(before, RepoFiles(cli));
    }

    [Fact]
    public async Task A_repository_held_exclusively_exits_11_naming_the_holder()
    {
        using var cli = await InitializedAsync();
        Environment.SetEnvironmentVariable("VARLOR_KDF_MEMORY_KIB", "8192");
        using var repo = await Varlor.Backup.Repository.Repository.OpenAsync(new Storage.LocalBackend(cli.Repo), "cli test password", CancellationToken.None);
        await using var held = await Varlor.Backup.Repository.Locks.RepositoryLock.AcquireAsync(repo, exclusive: true, "prune", CancellationToken.None);
        CliAssert.OneLineError(await cli.RunAsync("backup", cli.Path_("src")), 11, $"pid {Environment.ProcessId}");
    }

    [Fact]
    public async Task A_truncated_pack_makes_restore_fail_for_that_file_only_with_exit_1()
    {
        using var cli = await InitializedAsync();
        var pack = Directory.GetFiles(cli.Repo + "/data", "*", SearchOption.AllDirectories)
            .Select(f => new FileInfo(f)).OrderByDescending(f => f.Length).First();
        using (var fs = new FileStream(pack.FullName, FileMode.Open)) fs.SetLength(fs.Length / 2);
        var r = await cli.RunAsync("restore", "latest", "--target", cli.Path_("out"));
        Assert.Equal(1, r.ExitCode);
        Assert.DoesNotContain("   at ", r.Stderr);
        Assert.False(File.Exists(cli.Path_("out") + cli.Path_("src/a.csv")));
    }

    [Fact]
    public async Task Check_passes_on_a_healthy_repository_and_exits_1_naming_a_damaged_pack()
    {
        using var cli = await InitializedAsync();
        CliAssert.Success(await cli.RunAsync("check", "--read-data"));
        var pack = Directory.GetFiles(cli.Repo + "/data", "*", SearchOption.AllDirectories).OrderByDescending(f => new FileInfo(f).Length).First();
        var bytes = File.ReadAllBytes(pack);
        bytes[10] ^= 0xFF;
        File.WriteAllBytes(pack, bytes);
        var r = await cli.RunAsync("check", "--read-data-subset", "1/1", "--json");
        Assert.Equal(1, r.ExitCode);
        using var doc = System.Text.Json.JsonDocument.Parse(r.Stdout);
        Assert.False(doc.RootElement.GetProperty("ok").GetBoolean());
        Assert.Equal(Path.GetFileName(pack), doc.RootElement.GetProperty("damaged_packs")[0].GetString());
        CliAssert.OneLineError(await cli.RunAsync("check", "--read-data-subset", "5/4"), 1, "K/N");
    }

    [Fact]
    public async Task Unreadable_source_files_are_named_and_exit_3()
    {
        using var cli = await InitializedAsync();
        File.WriteAllText(cli.Path_("src/secret.csv"), "x");
        File.SetUnixFileMode(cli.Path_("src/secret.csv"), UnixFileMode.None);
        string? user = null;
        if (Environment.UserName == "root")
        {
            // Root reads everything: run the program as 'nobody' on world-writable folders.
            user = "65534";
            foreach (var d in Directory.GetDirectories(cli.Root, "*", SearchOption.AllDirectories).Append(cli.Root))
                File.SetUnixFileMode(d, (UnixFileMode)0x1FF);
            foreach (var f in Directory.GetFiles(cli.Repo, "*", SearchOption.AllDirectories).Append(cli.Path_("src/a.csv")))
                File.SetUnixFileMode(f, (UnixFileMode)0x1B6);
            cli.Env["HOME"] = cli.Root;
        }
        var r = await cli.RunAsAsync(user, "backup", cli.Path_("src"));
        Assert.True(r.ExitCode == 3, r.ToString());
        Assert.Contains("secret.csv", r.Stderr);
        Assert.DoesNotContain("   at ", r.Stderr);
        var ls = await cli.RunAsAsync(user, "ls", "latest");
        Assert.Contains("a.csv", ls.Stdout);
        Assert.DoesNotContain("secret.csv", ls.Stdout);
    }

    [Fact]
    public async Task A_backup_killed_hard_leaves_a_valid_repository_and_is_not_uploaded_again()
    {
        using var cli = await InitializedAsync();
        var rng = new Random(5);
        for (var i = 0; i < 8; i++)
        {
            var bytes = new byte[10_000_000];
            rng.NextBytes(bytes);
            File.WriteAllBytes(cli.Path_($"src/big{i}.bin"), bytes);
        }
        using (var p = Process.Start(cli.StartInfo(["backup", cli.Path_("src")]))!)
        {
            var deadline = DateTime.UtcNow.AddSeconds(60);
            while (PackBytes(cli) < 25_000_000 && !p.HasExited && DateTime.UtcNow < deadline) await Task.Delay(10);
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }
        var packed = PackBytes(cli);
        var again = await cli.RunAsync("backup", cli.Path_("src"), "--json");
        CliAssert.Success(again);
        using var doc = System.Text.Json.JsonDocument.Parse(again.Stdout);
        var added = doc.RootElement.GetProperty("summary").GetProperty("data_added").GetInt64();
        Assert.True(added + packed < 80_000_000 + 8_000_000, $"added {added} after {packed} were packed by the killed run");
        var target = cli.Path_("out");
        CliAssert.Success(await cli.RunAsync("restore", "latest", "--target", target));
        for (var i = 0; i < 8; i++)
            Assert.Equal(File.ReadAllBytes(cli.Path_($"src/big{i}.bin")), File.ReadAllBytes(target + cli.Path_($"src/big{i}.bin")));
    }

    private static long PackBytes(CliHarness cli) =>
        Directory.GetFiles(cli.Repo + "/data", "*", SearchOption.AllDirectories).Where(f => !Path.GetFileName(f).StartsWith('.')).Sum(f => new FileInfo(f).Length);
}
