using System.Diagnostics;
using System.Text.Json;
using Varlor.Backup.Cli.Tests.Support;

namespace Varlor.Backup.Cli.Tests.Commands;

/// <summary>What operators and their scripts meet every day: the age check, help, completion, JSON, messages, progress.</summary>
public sealed class EverydayTests
{
    private static async Task<string> SourceAsync(CliHarness cli, string name = "src")
    {
        var dir = cli.Path_(name);
        Directory.CreateDirectory(Path.Combine(dir, "sub"));
        await File.WriteAllTextAsync(Path.Combine(dir, "sub", "a+b.csv"), "x\n");
        CliAssert.Success(await cli.RunAsync("init"));
        return dir;
    }

    [Fact]
    public async Task Check_max_age_passes_for_a_fresh_backup_and_fails_with_exit_4_for_an_old_one_or_none()
    {
        using var cli = new CliHarness();
        var src = await SourceAsync(cli);
        CliAssert.OneLineError(await cli.RunAsync("check", "--max-age", "26h"), 4, "no snapshot: nothing to show a backup within the last 26h");

        CliAssert.Success(await cli.RunAsync("backup", src, "--tag", "files", "--time", DateTimeOffset.UtcNow.AddHours(-30).ToString("O")));
        var old = await cli.RunAsync("check", "--max-age", "26h", "--tag", "files");
        CliAssert.OneLineError(old, 4, "is 1d 6h old: more than --max-age 26h");
        Assert.Contains("the newest snapshot matching --tag files", old.Stderr);
        CliAssert.Success(await cli.RunAsync("check", "--max-age", "2d", "--tag", "files"));

        CliAssert.Success(await cli.RunAsync("backup", src, "--tag", "files"));
        var fresh = await cli.RunAsync("check", "--max-age", "90m", "--tag", "files", "--json");
        CliAssert.Success(fresh);
        using (var doc = JsonDocument.Parse(fresh.Stdout))
        {
            Assert.True(doc.RootElement.GetProperty("ok").GetBoolean());
            Assert.Equal(5400, doc.RootElement.GetProperty("max_age_seconds").GetInt64());
        }
        // Any kind counts; the filters say which: no dump was ever made.
        CliAssert.OneLineError(await cli.RunAsync("check", "--max-age", "26h", "--tag", "db"), 4, "no snapshot matching --tag db");
        CliAssert.OneLineError(await cli.RunAsync("check", "--max-age", "26", "--tag", "files"), 1, "--max-age '26': use a number and a unit");
        CliAssert.OneLineError(await cli.RunAsync("check", "--tag", "files"), 1, "give --max-age");
    }

    [Fact]
    public async Task Wal_status_exits_1_with_the_reason_when_nothing_is_recoverable()
    {
        using var cli = new CliHarness();
        await SourceAsync(cli);
        var status = await cli.RunAsync("wal", "status");
        CliAssert.OneLineError(status, 1, "nothing is recoverable: no WAL archived yet");
        Assert.Contains("no WAL segments archived yet", status.Stdout);
    }

    [Fact]
    public async Task Help_COMMAND_prints_that_commands_help()
    {
        using var cli = new CliHarness();
        var help = await cli.RunAsync("help", "backup");
        CliAssert.Success(help);
        Assert.Equal((await cli.RunAsync("backup", "--help")).Stdout, help.Stdout);
        Assert.Contains("Back up files and folders", help.Stdout);
        var sub = await cli.RunAsync("help", "db", "restore");
        CliAssert.Success(sub);
        Assert.Equal((await cli.RunAsync("db", "restore", "--help")).Stdout, sub.Stdout);
        Assert.Contains("--target-db", sub.Stdout);
        CliAssert.OneLineError(await cli.RunAsync("help", "bakup"), 1, "no command 'bakup'");
    }

    [Fact]
    public async Task The_bash_completion_script_completes_commands_and_options()
    {
        using var cli = new CliHarness();
        var script = await cli.RunAsync("completion", "bash");
        CliAssert.Success(script);
        await File.WriteAllTextAsync(cli.Path_("completion.bash"), script.Stdout);
        // The program as a user has it: 'varlor-backup' on PATH.
        var bin = cli.Path_("bin");
        Directory.CreateDirectory(bin);
        var program = Path.Combine(bin, "varlor-backup");
        await File.WriteAllTextAsync(program, $"#!/bin/sh\nexec dotnet {Path.Combine(AppContext.BaseDirectory, "varlor-backup.dll")} \"$@\"\n");
        File.SetUnixFileMode(program, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);

        async Task<string> CompleteAsync(string words, int current)
        {
            var psi = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true };
            psi.ArgumentList.Add("-c");
            psi.ArgumentList.Add($"source {cli.Path_("completion.bash")}; COMP_WORDS=({words}); COMP_CWORD={current}; _varlor_backup_complete; printf '%s\\n' \"${{COMPREPLY[@]}}\"");
            psi.Environment["PATH"] = bin + ":" + Environment.GetEnvironmentVariable("PATH");
            using var p = Process.Start(psi)!;
            var output = await p.StandardOutput.ReadToEndAsync();
            await p.WaitForExitAsync();
            return output;
        }

        Assert.Equal("restore\n", await CompleteAsync("varlor-backup res", 1));
        var options = await CompleteAsync("varlor-backup restore --ta", 2);
        Assert.Contains("--tag\n", options);
        Assert.Contains("--target\n", options);
        Assert.Contains("verify-restore\n", await CompleteAsync("varlor-backup db ''", 2));

        foreach (var shell in new[] { "zsh", "fish" })
        {
            var other = await cli.RunAsync("completion", shell);
            CliAssert.Success(other);
            Assert.Contains("[suggest:", other.Stdout);
        }
        CliAssert.OneLineError(await cli.RunAsync("completion", "powershell"), 1, "Argument 'powershell' not recognized. Must be one of: 'bash' 'zsh' 'fish'");
    }

    [Fact]
    public async Task Json_output_keeps_plus_signs_and_messages_use_singular_for_one()
    {
        using var cli = new CliHarness();
        var src = await SourceAsync(cli);
        var backup = await cli.RunAsync("backup", src);
        CliAssert.Success(backup);
        Assert.Contains("processed 1 file,", backup.Stdout);

        var ls = await cli.RunAsync("ls", "latest", "--json");
        CliAssert.Success(ls);
        Assert.Contains(src + "/sub/a+b.csv", ls.Stdout);
        Assert.DoesNotContain("\\u002B", ls.Stdout);

        var restore = await cli.RunAsync("restore", "latest", "--target", cli.Path_("out"), "--include", src + "/sub/a+b.csv");
        CliAssert.Success(restore);
        Assert.Contains("1 file written", restore.Stdout);
        Assert.DoesNotContain("1 files", restore.Stdout);
        Assert.Contains("1 snapshot\n", (await cli.RunAsync("snapshots")).Stdout);
        var check = await cli.RunAsync("check");
        Assert.Contains("checked 1 snapshot,", check.Stdout);
        Assert.DoesNotContain("1 packs", check.Stdout);
    }

    [Fact]
    public async Task Check_read_data_reports_packs_and_bytes_as_it_reads()
    {
        using var cli = new CliHarness();
        var src = await SourceAsync(cli);
        // Incompressible data in several packs, so that reading takes longer than the progress interval.
        var random = new Random(7);
        for (var i = 0; i < 6; i++)
        {
            var bytes = new byte[8 << 20];
            random.NextBytes(bytes);
            await File.WriteAllBytesAsync(Path.Combine(src, $"big{i}.bin"), bytes);
        }
        CliAssert.Success(await cli.RunAsync("backup", src, "--quiet"));
        cli.Env["VARLOR_PROGRESS_SECONDS"] = "0.01";
        var check = await cli.RunAsync("check", "--read-data");
        CliAssert.Success(check);
        Assert.Matches(@"check --read-data: \d+/\d+ packs, [\d.]+ [KMG]?i?B/[\d.]+ MiB", check.Stderr);
        Assert.DoesNotContain("check --read-data:", (await cli.RunAsync("check", "--read-data", "--quiet")).Stderr);
    }
}
