using System.Text.Json;
using Varlor.Backup.S3.Tests.Support;

namespace Varlor.Backup.S3.Tests;

/// <summary>Every repository operation through the real CLI on an S3 repository (s3rver), compared with the source.</summary>
public sealed class CliRoundTripTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    [Fact]
    public async Task Init_backup_restore_check_keys_forget_prune_and_locks_work_on_S3()
    {
        using var cli = new S3Cli(s3.Location("cli/round-trip"));
        var src = cli.MakeTree("src", bigMiB: 20, seed: 1); // 20 MiB of random data: two data packs
        (await cli.RunAsync("init")).Ok();
        Assert.Equal(1, (await cli.RunAsync("init")).ExitCode); // a second init refuses

        var first = JsonDocument.Parse((await cli.RunAsync("backup", src, "--json")).Ok().Stdout).RootElement;
        var firstId = first.GetProperty("snapshot").GetString()!;
        // Requests the backup sent (users pay per request): a handful per pack and per metadata file, not per chunk.
        Assert.InRange(first.GetProperty("requests").GetInt64(), 5, 60);
        var expectedFirst = S3Cli.Describe(src);

        File.WriteAllText(Path.Combine(src, "etc", "conf.d", "f3.conf"), "changed");
        File.Delete(Path.Combine(src, "etc", "conf.d", "f4.conf"));
        (await cli.RunAsync("backup", src)).Ok();
        var expectedSecond = S3Cli.Describe(src);

        var snaps = JsonDocument.Parse((await cli.RunAsync("snapshots", "--json")).Ok().Stdout).RootElement;
        Assert.Equal(2, snaps.GetArrayLength());

        var target = cli.Dir.Sub("restore-1");
        (await cli.RunAsync("restore", firstId, "--target", target)).Ok();
        Assert.Equal(expectedFirst, S3Cli.Describe(target + src));
        var target2 = cli.Dir.Sub("restore-2");
        (await cli.RunAsync("restore", "latest", "--target", target2)).Ok();
        Assert.Equal(expectedSecond, S3Cli.Describe(target2 + src));

        var check = JsonDocument.Parse((await cli.RunAsync("check", "--read-data", "--json")).Ok().Stdout).RootElement;
        Assert.True(check.GetProperty("ok").GetBoolean());
        Assert.True(check.GetProperty("packs_read").GetInt32() >= 3);

        await File.WriteAllTextAsync(cli.Dir.Sub("newpw"), "second password");
        (await cli.RunAsync("key", "add", "--new-password-file", cli.Dir.Sub("newpw"))).Ok();
        var keys = JsonDocument.Parse((await cli.RunAsync("key", "list", "--json", "--password-file", cli.Dir.Sub("newpw"))).Ok().Stdout).RootElement;
        Assert.Equal(2, keys.GetArrayLength());

        (await cli.RunAsync("forget", "--keep-last", "1", "--prune")).Ok();
        snaps = JsonDocument.Parse((await cli.RunAsync("snapshots", "--json")).Ok().Stdout).RootElement;
        Assert.Equal(1, snaps.GetArrayLength());
        check = JsonDocument.Parse((await cli.RunAsync("check", "--read-data", "--json")).Ok().Stdout).RootElement;
        Assert.True(check.GetProperty("ok").GetBoolean(), check.ToString());
        var target3 = cli.Dir.Sub("restore-3");
        (await cli.RunAsync("restore", "latest", "--target", target3)).Ok();
        Assert.Equal(expectedSecond, S3Cli.Describe(target3 + src));

        // Every command released its lock; unlock finds nothing stale and the repository has no lock objects left.
        (await cli.RunAsync("unlock")).Ok();
        Assert.Empty(Directory.Exists(Path.Combine(s3.DataFolder, s3.Bucket, "cli", "round-trip", "locks"))
            ? Directory.GetFiles(Path.Combine(s3.DataFolder, s3.Bucket, "cli", "round-trip", "locks"), "*._S3rver_object") : []);
    }

    [Fact]
    public async Task Wrong_credentials_and_missing_repositories_give_one_line_errors()
    {
        using var cli = new S3Cli(s3.Location("cli/absent"));
        var missing = await cli.RunAsync("snapshots");
        Assert.Equal(10, missing.ExitCode);
        Assert.Single(missing.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("no repository at s3:http://127.0.0.1", missing.Stderr);

        cli.Env.Remove("AWS_ACCESS_KEY_ID");
        cli.Env.Remove("AWS_SECRET_ACCESS_KEY");
        var noCreds = await cli.RunAsync("snapshots");
        Assert.Equal(1, noCreds.ExitCode);
        Assert.Single(noCreds.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("credentials", noCreds.Stderr);
    }

    [Fact]
    public async Task Credentials_come_from_a_credentials_file_and_profile_and_are_never_printed()
    {
        using var cli = new S3Cli(s3.Location("cli/profile"));
        cli.Env.Remove("AWS_ACCESS_KEY_ID");
        cli.Env.Remove("AWS_SECRET_ACCESS_KEY");
        var file = cli.Dir.Sub("aws-credentials");
        await File.WriteAllTextAsync(file, $"[offsite]\naws_access_key_id = {S3rverFixture.AccessKey}\naws_secret_access_key = {S3rverFixture.SecretKey}\n");
        cli.Env["AWS_SHARED_CREDENTIALS_FILE"] = file;
        cli.Env["AWS_PROFILE"] = "offsite";
        var init = (await cli.RunAsync("init")).Ok();
        var src = cli.MakeTree("src", bigMiB: 1, seed: 5);
        var backup = (await cli.RunAsync("backup", src)).Ok();
        (await cli.RunAsync("check", "--read-data")).Ok();
        foreach (var r in new[] { init, backup }) Assert.DoesNotContain(S3rverFixture.SecretKey, r.Stdout + r.Stderr);

        cli.Env["AWS_PROFILE"] = "no-such-profile";
        var wrong = await cli.RunAsync("snapshots");
        Assert.Equal(1, wrong.ExitCode);
        Assert.Single(wrong.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("error: S3 credentials: ", wrong.Stderr);
        Assert.Contains("no-such-profile", wrong.Stderr);
    }
}
