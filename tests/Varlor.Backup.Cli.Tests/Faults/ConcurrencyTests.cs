using System.Diagnostics;
using Varlor.Backup.Cli.Tests.Support;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Cli.Tests.Faults;

/// <summary>Several processes on one repository: backups share it; prune waits its turn (exit 11) or makes them wait.</summary>
public sealed class ConcurrencyTests
{
    private static void Fill(string dir, int seed, int files)
    {
        Directory.CreateDirectory(dir);
        var rng = new Random(seed);
        for (var i = 0; i < files; i++)
        {
            var bytes = new byte[500_000 + rng.Next(1_500_000)];
            rng.NextBytes(bytes);
            File.WriteAllBytes(Path.Combine(dir, $"f{seed}-{i}.bin"), bytes);
        }
    }

    private static async Task<CliResult> WaitAsync(Process p)
    {
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        await p.WaitForExitAsync();
        return new CliResult(p.ExitCode, await stdout, await stderr);
    }

    private static Process Start(CliHarness cli, params string[] args)
    {
        var p = Process.Start(cli.StartInfo(args))!;
        p.StandardInput.Close();
        return p;
    }

    [Fact]
    public async Task Two_backups_at_once_from_two_processes_both_succeed()
    {
        using var cli = new CliHarness();
        Fill(cli.Path_("a"), 1, 8);
        Fill(cli.Path_("b"), 2, 8);
        File.Copy(cli.Path_("a/f1-0.bin"), cli.Path_("b/shared.bin")); // the same data from both sides
        CliAssert.Success(await cli.RunAsync("init"));
        using var pa = Start(cli, "backup", cli.Path_("a"), "--quiet");
        using var pb = Start(cli, "backup", cli.Path_("b"), "--quiet");
        var (ra, rb) = (await WaitAsync(pa), await WaitAsync(pb));
        CliAssert.Success(ra);
        CliAssert.Success(rb);
        await RepoVerifier.AssertChecksCleanAsync(cli, "after two concurrent backups");
        using var repo = await RepoVerifier.OpenAsync(cli);
        var snapshots = await repo.LoadSnapshotsAsync(CancellationToken.None);
        Assert.Equal(2, snapshots.Count);
        foreach (var s in snapshots)
            await RepoVerifier.AssertRestoresAsync(cli, s.Id, s.Paths[0], RepoVerifier.Describe(s.Paths[0]), "concurrent");
    }

    [Fact]
    public async Task Six_backups_at_once_all_succeed()
    {
        // Short-lived shared locks come and go while others list them: a released lock is not a damaged one.
        using var cli = new CliHarness();
        for (var i = 0; i < 6; i++) Fill(cli.Path_($"s{i}"), 20 + i, 1);
        CliAssert.Success(await cli.RunAsync("init"));
        var processes = Enumerable.Range(0, 6).Select(i => Start(cli, "backup", cli.Path_($"s{i}"), "--quiet")).ToList();
        foreach (var p in processes)
        {
            CliAssert.Success(await WaitAsync(p));
            p.Dispose();
        }
        Assert.Equal(6, (await RepoVerifier.SnapshotIdsAsync(cli)).Count);
        await RepoVerifier.AssertChecksCleanAsync(cli, "six concurrent backups");
    }

    [Fact]
    public async Task A_backup_racing_a_prune_loses_nothing()
    {
        using var cli = new CliHarness();
        var source = cli.Path_("src");
        CliAssert.Success(await cli.RunAsync("init"));
        var expected = new Dictionary<BlobId, Dictionary<string, string>>();
        var outcomes = new List<string>();
        for (var round = 0; round < 5; round++)
        {
            Fill(source, 10 + round, 3);
            foreach (var f in Directory.GetFiles(source).Take(2)) File.Delete(f);
            var state = RepoVerifier.Describe(source);
            // Garbage for prune: forget everything but the latest snapshot.
            foreach (var id in expected.Keys.SkipLast(1).ToList())
            {
                File.Delete(Path.Combine(cli.Repo, "snapshots", id.ToString()));
                expected.Remove(id);
            }
            var before = (await RepoVerifier.SnapshotIdsAsync(cli)).ToHashSet();
            using var prune = Start(cli, "prune", "--max-unused", "0%", "--quiet");
            using var backup = Start(cli, "backup", source, "--quiet");
            var (rp, rb) = (await WaitAsync(prune), await WaitAsync(backup));
            Assert.True(rp.ExitCode is 0 or 11, "prune: " + rp);
            Assert.True(rb.ExitCode is 0 or 11, "backup: " + rb);
            outcomes.Add($"prune {rp.ExitCode}, backup {rb.ExitCode}");
            if (rb.ExitCode == 11) Assert.Contains("locked", rb.Stderr);
            foreach (var id in (await RepoVerifier.SnapshotIdsAsync(cli)).Where(i => !before.Contains(i))) expected[id] = state;
            await RepoVerifier.AssertChecksCleanAsync(cli, $"round {round}: {outcomes[^1]}");
            foreach (var (id, desc) in expected) await RepoVerifier.AssertRestoresAsync(cli, id, source, desc, $"round {round}");
        }
    }
}
