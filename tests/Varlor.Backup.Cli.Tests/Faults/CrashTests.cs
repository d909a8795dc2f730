using System.Diagnostics;
using Varlor.Backup.Cli.Tests.Support;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Cli.Tests.Faults;

/// <summary>
/// kill -9 at random moments of backups and prunes. After each kill the repository must check clean with
/// --read-data and the snapshots that existed restore byte for byte. VARLOR_STRESS_TRIALS raises the trial count
/// for a longer run (default 30 each).
/// </summary>
public sealed class CrashTests
{
    private static int Trials => int.TryParse(Environment.GetEnvironmentVariable("VARLOR_STRESS_TRIALS"), out var n) && n > 0 ? n : 30;

    private static void Mutate(string source, Random rng, int trial)
    {
        var bytes = new byte[1_000_000 + rng.Next(3_000_000)];
        rng.NextBytes(bytes);
        File.WriteAllBytes(Path.Combine(source, $"upload-{trial}.bin"), bytes);
        File.AppendAllText(Path.Combine(source, "datasets.csv"), string.Concat(Enumerable.Range(0, 2000).Select(i => $"{trial},{i},{rng.Next()}\n")));
        var old = Directory.GetFiles(source, "upload-*.bin");
        if (old.Length > 4) File.Delete(old[rng.Next(old.Length)]);
    }

    private static async Task<(bool Exited, TimeSpan Took)> RunAndKillAsync(CliHarness cli, string[] args, TimeSpan killAfter)
    {
        var clock = Stopwatch.StartNew();
        using var p = Process.Start(cli.StartInfo(args))!;
        p.StandardInput.Close();
        _ = p.StandardOutput.ReadToEndAsync();
        _ = p.StandardError.ReadToEndAsync();
        var exited = p.WaitForExit(killAfter);
        if (!exited)
        {
            p.Kill(entireProcessTree: true);
            await p.WaitForExitAsync();
        }
        else Assert.True(p.ExitCode == 0, $"{string.Join(' ', args)} failed on its own with exit {p.ExitCode}");
        return (exited, clock.Elapsed);
    }

    [Fact]
    public async Task Backups_killed_at_random_points_never_damage_the_repository()
    {
        using var cli = new CliHarness();
        var source = cli.Path_("storage");
        Directory.CreateDirectory(source);
        var rng = new Random(20261126);
        Mutate(source, rng, 0);
        CliAssert.Success(await cli.RunAsync("init"));
        var expected = new Dictionary<BlobId, Dictionary<string, string>>();

        var (_, typical) = await RunAndKillAsync(cli, ["backup", source, "--quiet"], TimeSpan.FromMinutes(2));
        foreach (var id in await RepoVerifier.SnapshotIdsAsync(cli)) expected[id] = RepoVerifier.Describe(source);

        var killed = 0;
        for (var trial = 1; trial <= Trials; trial++)
        {
            Mutate(source, rng, trial);
            var state = RepoVerifier.Describe(source);
            var delay = TimeSpan.FromMilliseconds(rng.Next(50, (int)(typical.TotalMilliseconds * 1.2)));
            var (exited, _) = await RunAndKillAsync(cli, ["backup", source, "--quiet"], delay);
            if (!exited) killed++;
            var context = $"trial {trial} (killed after {delay.TotalMilliseconds:0} ms: {!exited})";
            foreach (var id in await RepoVerifier.SnapshotIdsAsync(cli))
                expected.TryAdd(id, state); // a run killed after saving its snapshot still made a good one
            await RepoVerifier.AssertChecksCleanAsync(cli, context);
            // The previous snapshot and one older at random restore exactly; all of them at the end.
            var ids = expected.Keys.ToList();
            await RepoVerifier.AssertRestoresAsync(cli, ids[^1], source, expected[ids[^1]], context);
            var older = ids[rng.Next(ids.Count)];
            await RepoVerifier.AssertRestoresAsync(cli, older, source, expected[older], context);
        }
        Assert.True(killed >= Trials / 3, $"only {killed} of {Trials} backups were killed before they finished");
        foreach (var (id, state) in expected) await RepoVerifier.AssertRestoresAsync(cli, id, source, state, "final");
        var final = await cli.RunAsync("backup", source, "--json");
        CliAssert.Success(final);
    }

    [Fact]
    public async Task Prunes_killed_at_random_points_never_lose_a_kept_snapshot_and_a_rerun_finishes()
    {
        using var cli = new CliHarness();
        var source = cli.Path_("storage");
        Directory.CreateDirectory(source);
        var rng = new Random(1126);
        CliAssert.Success(await cli.RunAsync("init"));
        var expected = new Dictionary<BlobId, Dictionary<string, string>>();
        async Task BackupAsync(int trial)
        {
            Mutate(source, rng, trial);
            var r = await cli.RunAsync("backup", source, "--json");
            CliAssert.Success(r);
            using var doc = System.Text.Json.JsonDocument.Parse(r.Stdout);
            expected[BlobId.Parse(doc.RootElement.GetProperty("snapshot").GetString()!)] = RepoVerifier.Describe(source);
        }
        for (var i = 0; i < 3; i++) await BackupAsync(-i);
        var typical = TimeSpan.FromSeconds(1);

        var killed = 0;
        for (var trial = 1; trial <= Trials; trial++)
        {
            await BackupAsync(trial);
            // Forget the oldest snapshot, leaving garbage and partly-used packs for prune.
            var oldest = expected.Keys.First();
            File.Delete(Path.Combine(cli.Repo, "snapshots", oldest.ToString()));
            expected.Remove(oldest);
            var delay = TimeSpan.FromMilliseconds(rng.Next(50, (int)(typical.TotalMilliseconds * 1.2)));
            var (exited, took) = await RunAndKillAsync(cli, ["prune", "--max-unused", "0%", "--quiet"], delay);
            if (exited) typical = took; else killed++;
            var context = $"trial {trial} (killed after {delay.TotalMilliseconds:0} ms: {!exited})";
            await RepoVerifier.AssertChecksCleanAsync(cli, context);
            foreach (var (id, state) in expected) await RepoVerifier.AssertRestoresAsync(cli, id, source, state, context);
        }
        Assert.True(killed >= Trials / 3, $"only {killed} of {Trials} prunes were killed before they finished");

        // A rerun completes what the killed ones left: no unindexed packs, nothing unused beyond the threshold.
        CliAssert.Success(await cli.RunAsync("prune", "--max-unused", "0%"));
        var after = await cli.RunAsync("prune", "--dry-run", "--json");
        CliAssert.Success(after);
        using var report = System.Text.Json.JsonDocument.Parse(after.Stdout);
        Assert.Equal(0, report.RootElement.GetProperty("packs_deleted").GetInt32());
        Assert.Equal(0, report.RootElement.GetProperty("unused_bytes_after").GetInt64());
        using var repo = await RepoVerifier.OpenAsync(cli);
        var check = await new Varlor.Backup.Engines.Checking.Checker(repo).RunAsync(new() { ReadData = true }, CancellationToken.None);
        Assert.True(check.Ok && check.Warnings.Count == 0, string.Join("; ", check.Errors.Concat(check.Warnings)));
    }
}
