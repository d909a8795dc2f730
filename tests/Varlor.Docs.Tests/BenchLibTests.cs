using Varlor.Docs.Tests.Machine;
using Varlor.Testing;

namespace Varlor.Docs.Tests;

/// <summary>The benchmark scripts rewrite their own section of docs/benchmarks.md with one shared function
/// (bench/lib.sh's doc_section). bench/test-lib.sh checks it on temporary copies of the doc, without running any
/// benchmark: only its section changes, by temporary file and rename, a missing section is appended, and the bytes
/// are those the scripts wrote before they shared it.</summary>
public sealed class BenchLibTests
{
    [Fact]
    public async Task Doc_section_rewrite_of_the_bench_scripts_passes_its_checks()
    {
        var result = await ProcessRunner.RunAsync("bash", [Path.Combine(Checkout.Root, "bench", "test-lib.sh")],
            workingDirectory: Checkout.Root, timeout: TimeSpan.FromMinutes(10));

        Assert.True(result.ExitCode == 0, $"bench/test-lib.sh exited with {result.ExitCode}:\n{result.Output}");
        Assert.Contains(" 0 failed", result.StandardOutput);
    }
}
