using System.Text.Json;
using Varlor.Backup.S3.Tests.Support;

namespace Varlor.Backup.S3.Tests.Faults;

/// <summary>
/// The CLI through <see cref="FaultProxy"/>: backups and restores finish correctly through 10% injected faults;
/// an unreachable store fails with one clear line after the retry budget and leaves a valid repository whose
/// snapshots reference nothing half-uploaded.
/// </summary>
public sealed class FaultTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    private string ViaProxy(FaultProxy proxy, string prefix) => $"s3:http://127.0.0.1:{proxy.Port}/{s3.Bucket}/{prefix}";

    private static void FastRetries(S3Cli cli, int retries = 12)
    {
        cli.Env["VARLOR_S3_RETRIES"] = retries.ToString(System.Globalization.CultureInfo.InvariantCulture);
        cli.Env["VARLOR_S3_RETRY_DELAY_MS"] = "20";
        cli.Env["VARLOR_S3_ATTEMPT_TIMEOUT_SECONDS"] = "20";
    }

    [Fact]
    public async Task Backup_restore_and_check_succeed_through_ten_percent_faults()
    {
        await using var proxy = new FaultProxy(s3.Port, rate: 0.10, seed: 6);
        using var cli = new S3Cli(ViaProxy(proxy, "faulty"));
        FastRetries(cli);
        var src = cli.MakeTree("src", bigMiB: 18, seed: 2);
        (await cli.RunAsync("init")).Ok();
        (await cli.RunAsync("backup", src)).Ok();
        File.WriteAllText(Path.Combine(src, "etc", "conf.d", "f1.conf"), "second version");
        (await cli.RunAsync("backup", src)).Ok();
        var expected = S3Cli.Describe(src);

        var target = cli.Dir.Sub("restore");
        (await cli.RunAsync("restore", "latest", "--target", target)).Ok();
        Assert.Equal(expected, S3Cli.Describe(target + src));
        (await cli.RunAsync("check", "--read-data")).Ok();

        // Faults of every kind happened; the repository, read without the proxy, is complete and clean.
        Assert.True(proxy.Injected.Values.Sum() >= 5 && proxy.Injected.Count >= 4, string.Join(", ", proxy.Injected));
        using var direct = new S3Cli(s3.Location("faulty"));
        var check = JsonDocument.Parse((await direct.RunAsync("check", "--read-data", "--json")).Ok().Stdout).RootElement;
        Assert.True(check.GetProperty("ok").GetBoolean(), check.ToString());
        Assert.Equal(2, JsonDocument.Parse((await direct.RunAsync("snapshots", "--json")).Ok().Stdout).RootElement.GetArrayLength());
    }

    [Fact]
    public async Task An_unreachable_store_fails_with_one_line_after_the_retry_budget_and_the_repository_stays_valid()
    {
        await using var proxy = new FaultProxy(s3.Port, rate: 0);
        using var cli = new S3Cli(ViaProxy(proxy, "cut"));
        FastRetries(cli, retries: 3);
        var src = cli.MakeTree("src", bigMiB: 40, seed: 3); // several packs: the store goes away after the first
        (await cli.RunAsync("init")).Ok();
        var small = cli.Dir.Sub("small");
        Directory.CreateDirectory(small);
        File.WriteAllText(Path.Combine(small, "a.txt"), "first snapshot");
        (await cli.RunAsync("backup", small)).Ok();

        proxy.AfterForward = (method, path) =>
        {
            if (method == "PUT" && path.Contains("/data/", StringComparison.Ordinal)) proxy.Unreachable = true;
        };
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var failed = await cli.RunAsync("backup", src);
        Assert.Equal(1, failed.ExitCode);
        var lines = failed.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, failed.ToString());
        Assert.StartsWith("error: storage at s3:http://127.0.0.1", lines[0]);
        Assert.Contains("failed 4 times", lines[0]);
        Assert.DoesNotContain(S3rverFixture.SecretKey, failed.Stderr + failed.Stdout);
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(60));

        // Straight to the server: the half-done backup left packs at most, never a snapshot or index naming missing data.
        using var direct = new S3Cli(s3.Location("cut"));
        var check = JsonDocument.Parse((await direct.RunAsync("check", "--read-data", "--json")).Stdout).RootElement;
        Assert.True(check.GetProperty("ok").GetBoolean(), check.ToString());
        Assert.Equal(1, JsonDocument.Parse((await direct.RunAsync("snapshots", "--json")).Ok().Stdout).RootElement.GetArrayLength());
        // The next backup (store back) completes, reusing what arrived, and restores exactly.
        (await direct.RunAsync("unlock", "--remove-all")).Ok();
        (await direct.RunAsync("backup", src)).Ok();
        var target = direct.Dir.Sub("restore");
        (await direct.RunAsync("restore", "latest", "--target", target)).Ok();
        Assert.Equal(S3Cli.Describe(src), S3Cli.Describe(target + src));
    }

    [Fact]
    public async Task A_store_that_never_answers_gives_a_clear_error()
    {
        using var cli = new S3Cli($"s3:http://127.0.0.1:9/{s3.Bucket}/nowhere"); // the discard port: nothing listens
        FastRetries(cli, retries: 2);
        var r = await cli.RunAsync("snapshots");
        Assert.Equal(1, r.ExitCode);
        var lines = r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, r.ToString());
        Assert.Contains("failed 3 times", lines[0]);
    }
}
