using System.Globalization;
using Varlor.Docs.Tests.Markdown;
using Varlor.Testing;

namespace Varlor.Docs.Tests.Machine;

public sealed record StepResult(int ExitCode, string Output);

/// <summary>What became of one page's command blocks on a throw-away host, by the block's line.</summary>
public sealed record PageRun(string Page, IReadOnlyDictionary<int, StepResult> Steps, string MachineOutput)
{
    public StepResult For(CodeBlock block) => Steps.TryGetValue(block.Line, out var r)
        ? r
        : new StepResult(-1, $"not run: the host stopped before this block\n{MachineOutput}");
}

/// <summary>
/// Runs a page's command blocks, in order, as root on a throw-away Varlor host (machine.sh inside fresh mount,
/// network, PID and UTS namespaces: nothing it writes outlives it, and the docs' absolute paths and default ports
/// are used as printed). Root is needed for the namespaces; CI runs as root.
/// </summary>
public static class DocsMachine
{
    private static readonly SemaphoreSlim BuildGate = new(1, 1);
    private static bool _built;

    public static async Task<PageRun> RunAsync(string page, string profile, CancellationToken ct = default)
    {
        await BuildProgramsAsync(ct);
        var work = Path.Combine(Path.GetTempPath(), "varlor-docs-" + Guid.NewGuid().ToString("N")[..10]);
        var steps = Path.Combine(work, "steps");
        Directory.CreateDirectory(steps);
        try
        {
            var blocks = MarkdownPage.Blocks(Checkout.Root, page).Where(b => b.IsCommand && b.SkipReason is null).ToList();
            var lineOf = new Dictionary<string, int>();
            for (var i = 0; i < blocks.Count; i++)
            {
                var n = i.ToString("D3", CultureInfo.InvariantCulture);
                await File.WriteAllTextAsync(Path.Combine(steps, $"{n}.{blocks[i].StepKind}"), blocks[i].Text, ct);
                lineOf[n] = blocks[i].Line;
            }

            var script = Path.Combine(AppContext.BaseDirectory, "Machine", "machine.sh");
            var machine = await ProcessRunner.RunAsync("unshare",
                ["--mount", "--net", "--pid", "--uts", "--fork", "--mount-proc", "--kill-child", "bash", script, Checkout.Root, work, profile],
                timeout: TimeSpan.FromMinutes(25), ct: ct);
            var results = new Dictionary<int, StepResult>();
            foreach (var (n, line) in lineOf)
            {
                var rc = Path.Combine(work, "results", n + ".rc");
                if (!File.Exists(rc)) continue;
                var output = await File.ReadAllTextAsync(Path.Combine(work, "results", n + ".out"), ct);
                results[line] = new StepResult(int.Parse((await File.ReadAllTextAsync(rc, ct)).Trim(), CultureInfo.InvariantCulture), output);
            }

            var given = Path.Combine(work, "results", "given.out");
            var machineOutput = $"machine exit {machine.ExitCode}: {machine.Output}" +
                (File.Exists(given) ? "\ngiven host set-up:\n" + await File.ReadAllTextAsync(given, ct) : "");
            return new PageRun(page, results, machineOutput);
        }
        finally
        {
            // VARLOR_DOCS_KEEP=1 keeps each block's output (WORK/results/NNN.out) to read after a failure.
            if (Environment.GetEnvironmentVariable("VARLOR_DOCS_KEEP") != "1")
                try { Directory.Delete(work, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }

    /// <summary>
    /// The checkout's launchers build the programs when their sources changed: done here, once, before the host
    /// starts, as a developer's checkout has them after a first run (the host's overlay would throw a build away).
    /// </summary>
    private static async Task BuildProgramsAsync(CancellationToken ct)
    {
        await BuildGate.WaitAsync(ct);
        try
        {
            if (_built) return;
            // ./install stages both programs (artifacts/install, also the checkout's ./varlor-backup build); the
            // throw-away prefix is all it installs here. ./varlor-server builds artifacts/varlor-server.
            var prefix = Path.Combine(Path.GetTempPath(), "varlor-docs-prefix-" + Guid.NewGuid().ToString("N")[..10]);
            try
            {
                var install = await ProcessRunner.RunAsync("bash", [Path.Combine(Checkout.Root, "install"), "--prefix", prefix],
                    workingDirectory: Checkout.Root, timeout: TimeSpan.FromMinutes(20), ct: ct);
                if (install.ExitCode != 0) throw new InvalidOperationException("./install failed: " + install.Output);
            }
            finally
            {
                if (Directory.Exists(prefix)) Directory.Delete(prefix, recursive: true);
            }

            await ProcessRunner.RunAsync("bash", [Path.Combine(Checkout.Root, "varlor-server"), "--help"],
                workingDirectory: Checkout.Root, timeout: TimeSpan.FromMinutes(10), ct: ct);
            _built = true;
        }
        finally
        {
            BuildGate.Release();
        }
    }
}
