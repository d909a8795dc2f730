using Spectre.Console;

namespace Varlor.Backup.Cli.Terminal;

/// <summary>One snapshot of progress: what is done and, when known, the totals.</summary>
public readonly record struct ProgressSample(long FilesDone, long FilesTotal, long BytesDone, long BytesTotal, TimeSpan Elapsed);

/// <summary>Shows progress of long work until it ends: a live bar on a terminal, plain lines otherwise.</summary>
public static class ProgressDisplay
{
    private static readonly TimeSpan PlainEvery = TimeSpan.FromSeconds(10);

    public static async Task<T> RunAsync<T>(Output output, string verb, Func<ProgressSample> sample, Task<T> work)
    {
        if (output.Quiet || output.Json) return await work;
        if (!Output.StderrIsTerminal) return await PlainAsync(verb, sample, work);

        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error) });
        await console.Progress()
            .AutoClear(true)
            .HideCompleted(true)
            .Columns(new TaskDescriptionColumn(), new ProgressBarColumn(), new PercentageColumn(),
                new DownloadedColumn(), new TransferSpeedColumn(), new RemainingTimeColumn())
            .StartAsync(async ctx =>
            {
                var task = ctx.AddTask(verb, maxValue: 1);
                while (!work.IsCompleted)
                {
                    Update(task, verb, sample());
                    await Task.WhenAny(work, Task.Delay(200));
                }
                Update(task, verb, sample());
            });
        return await work;
    }

    private static void Update(ProgressTask task, string verb, ProgressSample s)
    {
        task.MaxValue = Math.Max(1, Math.Max(s.BytesTotal, s.BytesDone));
        task.Value = s.BytesDone;
        task.Description = $"{verb} {s.FilesDone}/{s.FilesTotal} files";
    }

    private static async Task<T> PlainAsync<T>(string verb, Func<ProgressSample> sample, Task<T> work)
    {
        while (await Task.WhenAny(work, Task.Delay(PlainEvery)) != work)
        {
            var s = sample();
            var rate = s.Elapsed.TotalSeconds > 0 ? s.BytesDone / s.Elapsed.TotalSeconds : 0;
            var eta = rate > 0 && s.BytesTotal > s.BytesDone ? TimeSpan.FromSeconds((s.BytesTotal - s.BytesDone) / rate) : TimeSpan.Zero;
            Console.Error.WriteLine($"[{s.Elapsed:hh\\:mm\\:ss}] {verb}: {s.FilesDone}/{s.FilesTotal} files, {Format.Bytes(s.BytesDone)}/{Format.Bytes(s.BytesTotal)}, {Format.Bytes((long)rate)}/s, ETA {eta:hh\\:mm\\:ss}");
        }
        return await work;
    }
}
