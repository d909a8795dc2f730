using System.Diagnostics;
using Varlor.Backup.Cli.Tests.Support;

namespace Varlor.Backup.Cli.Tests.Faults;

/// <summary>A repository on a nearly full disk: the backup fails with one clear line and the repository stays valid.</summary>
public sealed class DiskFullTests
{
    [Fact]
    public async Task A_full_disk_fails_the_backup_cleanly_and_keeps_the_repository_valid()
    {
        using var cli = new CliHarness();
        var mount = cli.Path_("small-disk");
        Directory.CreateDirectory(mount);
        // A 24 MiB file system of our own (CI runs as root; elsewhere run the suite as root for this test).
        Assert.True(Run("mount", "-t", "tmpfs", "-o", "size=24m", "tmpfs", mount) == 0 || Environment.UserName != "root", "mount failed as root");
        if (Environment.UserName != "root") return;
        try
        {
            cli.Env["VARLOR_REPOSITORY"] = Path.Combine(mount, "repo");
            var small = cli.Path_("small");
            Directory.CreateDirectory(small);
            var rng = new Random(3);
            var bytes = new byte[4_000_000];
            rng.NextBytes(bytes);
            File.WriteAllBytes(Path.Combine(small, "a.bin"), bytes);
            CliAssert.Success(await cli.RunAsync("init"));
            CliAssert.Success(await cli.RunAsync("backup", small));
            var expected = RepoVerifier.Describe(small);

            var big = cli.Path_("big");
            Directory.CreateDirectory(big);
            for (var i = 0; i < 6; i++)
            {
                rng.NextBytes(bytes);
                File.WriteAllBytes(Path.Combine(big, $"b{i}.bin"), bytes); // 24 MB more: cannot fit
            }
            var full = await cli.RunAsync("backup", big);
            CliAssert.OneLineError(full, 1, "no space left on device");

            await RepoVerifier.AssertChecksCleanAsync(cli, "after disk full");
            using var repo = await RepoVerifier.OpenAsync(cli);
            var snapshots = await repo.LoadSnapshotsAsync(CancellationToken.None);
            Assert.Single(snapshots);
            await RepoVerifier.AssertRestoresAsync(cli, snapshots[0].Id, small, expected, "after disk full");
        }
        finally
        {
            Run("umount", "-l", mount);
        }
    }

    private static int Run(string file, params string[] args)
    {
        var psi = new ProcessStartInfo(file) { RedirectStandardError = true, RedirectStandardOutput = true };
        foreach (var a in args) psi.ArgumentList.Add(a);
        using var p = Process.Start(psi)!;
        p.WaitForExit();
        return p.ExitCode;
    }
}
