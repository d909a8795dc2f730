using System.Text.Json;
using Varlor.Backup.Cli.Tests.Support;

namespace Varlor.Backup.Cli.Tests.Commands;

public sealed class PruneTests
{
    private static long PackBytes(CliHarness cli) =>
        Directory.GetFiles(cli.Repo + "/data", "*", SearchOption.AllDirectories).Sum(f => new FileInfo(f).Length);

    [Fact]
    public async Task Forget_with_prune_frees_the_space_of_removed_snapshots_only()
    {
        using var cli = new CliHarness();
        var src = cli.Path_("src");
        Directory.CreateDirectory(src);
        CliAssert.Success(await cli.RunAsync("init"));
        var rng = new Random(7);
        for (var day = 1; day <= 3; day++)
        {
            var bytes = new byte[3_000_000];
            rng.NextBytes(bytes);
            foreach (var old in Directory.GetFiles(src)) File.Delete(old);
            File.WriteAllBytes(Path.Combine(src, $"day{day}.bin"), bytes);
            CliAssert.Success(await cli.RunAsync("backup", src, "--time", $"2026-11-0{day}T02:00:00Z", "--quiet"));
        }
        var before = PackBytes(cli);

        var dry = await cli.RunAsync("forget", "--keep-last", "1", "--prune", "--dry-run", "--json");
        CliAssert.Success(dry);
        using (var doc = JsonDocument.Parse(dry.Stdout))
            Assert.True(doc.RootElement.GetProperty("prune").GetProperty("bytes_freed").GetInt64() >= 6_000_000);
        Assert.Equal(before, PackBytes(cli));

        var run = await cli.RunAsync("forget", "--keep-last", "1", "--prune");
        CliAssert.Success(run);
        Assert.Contains("prune: freed", run.Stdout);
        Assert.InRange(PackBytes(cli), 3_000_000, before - 6_000_000);
        CliAssert.Success(await cli.RunAsync("check", "--read-data"));
        var target = cli.Path_("out");
        CliAssert.Success(await cli.RunAsync("restore", "latest", "--target", target));
        Assert.Equal(File.ReadAllBytes(Path.Combine(src, "day3.bin")), File.ReadAllBytes(target + src + "/day3.bin"));

        var again = await cli.RunAsync("prune", "--json");
        CliAssert.Success(again);
        using var report = JsonDocument.Parse(again.Stdout);
        Assert.Equal(0, report.RootElement.GetProperty("packs_deleted").GetInt32());
    }
}
