using System.Diagnostics;
using System.Globalization;

namespace Varlor.Bench.TreeGen;

/// <summary>"A day of change": 1% new datasets, 2% re-uploaded with rows inserted mid-file, a few deletions, a new day of logs.</summary>
internal static class Mutator
{
    public static int Mutate(string root, ulong seed)
    {
        var datasetsRoot = Path.Combine(root, "storage", "datasets");
        if (!Directory.Exists(datasetsRoot))
        {
            Console.Error.WriteLine($"treegen: {datasetsRoot} does not exist; run gen first");
            return 2;
        }
        var sw = Stopwatch.StartNew();
        var rng = new Rng(Rng.Derive(seed, 2));
        var all = Directory.GetDirectories(datasetsRoot).Order(StringComparer.Ordinal)
            .SelectMany(t => Directory.GetDirectories(t)
                .Select(d => (Tenant: Path.GetFileName(t), Dir: d, Id: long.Parse(Path.GetFileName(d), CultureInfo.InvariantCulture)))
                .OrderBy(x => x.Id))
            .ToList();
        if (all.Count == 0)
        {
            Console.Error.WriteLine("treegen: no datasets to mutate");
            return 2;
        }
        var totalData = all.Sum(d => Directory.GetFiles(d.Dir).Sum(f => new FileInfo(f).Length));
        var n = all.Count;
        var toDelete = Math.Max(1, (int)Math.Round(n * 0.005));
        var toModify = Math.Max(1, (int)Math.Round(n * 0.02));
        var toAdd = Math.Max(1, (int)Math.Round(n * 0.01));

        // Fisher-Yates on the sorted list: the same tree and seed give the same changes.
        var order = Enumerable.Range(0, n).ToArray();
        for (var i = n - 1; i > 0; i--)
        {
            var j = rng.Next(i + 1);
            (order[i], order[j]) = (order[j], order[i]);
        }
        var now = Datasets.BaseTime + 86400L * (Generator.LogDays + 1);
        var deleted = 0;
        long modifiedBytes = 0;
        var modified = 0;
        var rowsInserted = 0;
        foreach (var idx in order)
        {
            var d = all[idx];
            if (deleted < toDelete)
            {
                Directory.Delete(d.Dir, recursive: true);
                deleted++;
                continue;
            }
            if (modified >= toModify)
            {
                break;
            }
            var text = Directory.GetFiles(d.Dir).Select(Path.GetFileName)
                .FirstOrDefault(f => f is not null && DatasetPlan.FormatOf(Path.GetExtension(f)) is not null && !f.EndsWith(".gz", StringComparison.Ordinal));
            if (text is null)
            {
                continue;
            }
            rowsInserted += Datasets.InsertRowsMidFile(d.Dir, text, rng, now);
            modifiedBytes += new FileInfo(Path.Combine(d.Dir, text)).Length;
            modified++;
        }

        var cap = Math.Clamp(totalData / 10, 64 * 1024, 256L << 20);
        var nextId = all.Max(d => d.Id);
        long added = 0;
        for (var i = 0; i < toAdd; i++)
        {
            nextId += 1 + rng.Next(3);
            var tenant = all[rng.Next(all.Count)].Tenant;
            var (schema, ext) = Datasets.DrawKind(rng);
            var plan = new DatasetPlan(tenant, nextId, schema, ext, Datasets.DrawSize(rng, cap), Rng.Derive(seed ^ 0xA5A5A5A5UL, (ulong)nextId), now);
            added += Datasets.Write(root, plan);
        }

        // One more day of logs, the size of an average day so far.
        var logsDir = Path.Combine(root, "logs");
        long logBytes = 0;
        if (Directory.Exists(logsDir))
        {
            var logs = Directory.GetFiles(logsDir, "varlor-server-*.log").Order(StringComparer.Ordinal).ToArray();
            if (logs.Length > 0)
            {
                var last = DateTime.ParseExact(Path.GetFileNameWithoutExtension(logs[^1])["varlor-server-".Length..], "yyyy-MM-dd", CultureInfo.InvariantCulture,
                    DateTimeStyles.AdjustToUniversal | DateTimeStyles.AssumeUniversal);
                var day = (long)(last - DateTime.UnixEpoch).TotalDays + 1;
                var avg = logs.Sum(f => new FileInfo(f).Length) / logs.Length;
                var tenants = all.Select(d => d.Tenant).Distinct().ToArray();
                logBytes = Logs.Write(root, day, avg, Rng.Derive(seed, 0xBEEF0000UL + (ulong)day), tenants);
            }
        }
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"treegen: mutate of {n} datasets: {deleted} deleted, {modified} re-uploaded with {rowsInserted} rows inserted mid-file ({Size.Format(modifiedBytes)} rewritten), {toAdd} new ({Size.Format(added)}), one new log file ({Size.Format(logBytes)}); {sw.Elapsed.TotalSeconds:0.0} s"));
        return 0;
    }
}
