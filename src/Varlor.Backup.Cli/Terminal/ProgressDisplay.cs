using Spectre.Console;

namespace Varlor.Backup.Cli.Terminal;

/// <summary>One snapshot of progress: what is done and, when known, the totals.</summary>
public readonly record struct ProgressSample(long FilesDone, long FilesTotal, long BytesDone, long BytesTotal, TimeSpan Elapsed);

/// <summary>
/// Shows progress of long work until it ends: a live bar on a terminal, plain lines otherwise (every 10 s, or every
/// $VARLOR_PROGRESS_SECONDS). <c>unit</c> names what is counted ("files", "packs"); null when only bytes are known.
/// </summary>
public static class ProgressDisplay
{
    private static TimeSpan PlainEvery =>
        double.TryParse(Environment.GetEnvironmentVariable("VARLOR_PROGRESS_SECONDS"), System.Globalization.NumberStyles.Float,
            System.Globalization.CultureInfo.InvariantCulture, out var s) && s > 0 ? TimeSpan.FromSeconds(s) : TimeSpan.FromSeconds(10);

    public static async Task<T> RunAsync<T>(Output output, string verb, Func<ProgressSample> sample, Task<T> work, string? unit = "files")
    {
        if (output.Quiet || output.Json) return await work;
        if (!Output.StderrIsTerminal) return await PlainAsync(verb, sample, work, unit);

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
                    Update(task, verb, sample(), unit);
                    await Task.WhenAny(work, Task.Delay(200));
                }
                Update(task, verb, sample(), unit);
            });
        return await work;
    }

    private static void Update(ProgressTask task, string verb, ProgressSample s, string? unit)
    {
        // Without a total (a stream of unknown length) the bar stays full and the columns show bytes and speed.
        task.MaxValue = Math.Max(1, Math.Max(s.BytesTotal, s.BytesDone));
        task.Value = s.BytesDone;
        task.Description = unit is null ? verb : $"{verb} {s.FilesDone}/{s.FilesTotal} {unit}";
    }

    private static async Task<T> PlainAsync<T>(string verb, Func<ProgressSample> sample, Task<T> work, string? unit)
    {
        while (await Task.WhenAny(work, Task.Delay(PlainEvery)) != work)
        {
            var s = sample();
            var rate = s.Elapsed.TotalSeconds > 0 ? s.BytesDone / s.Elapsed.TotalSeconds : 0;
            var eta = rate > 0 && s.BytesTotal > s.BytesDone ? TimeSpan.FromSeconds((s.BytesTotal - s.BytesDone) / rate) : TimeSpan.Zero;
            var count = unit is null ? "" : $"{s.FilesDone}/{s.FilesTotal} {unit}, ";
            var bytes = s.BytesTotal > 0 ? $"{Format.Bytes(s.BytesDone)}/{Format.Bytes(s.BytesTotal)}" : Format.Bytes(s.BytesDone);
            Console.Error.WriteLine($"[{s.Elapsed:hh\\:mm\\:ss}] {verb}: {count}{bytes}, {Format.Bytes((long)rate)}/s" + (s.BytesTotal > 0 ? $", ETA {eta:hh\\:mm\\:ss}" : ""));
        }
        return await work;
    }
}
