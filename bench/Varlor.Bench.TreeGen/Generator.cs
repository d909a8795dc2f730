using System.Diagnostics;
using System.Globalization;

namespace Varlor.Bench.TreeGen;

internal static class Generator
{
    public const int LogDays = 14;

    public static int Generate(string root, long targetSize, ulong seed)
    {
        if (Directory.Exists(root) && Directory.EnumerateFileSystemEntries(root).Any())
        {
            Console.Error.WriteLine($"treegen: {root} is not empty; remove it first");
            return 2;
        }
        var sw = Stopwatch.StartNew();
        var rng = new Rng(Rng.Derive(seed, 1));
        var mib = targetSize / (double)(1 << 20);
        var tenantCount = Math.Clamp((int)Math.Round(1.5 * Math.Sqrt(mib)), 3, 120);
        var tenants = Enumerable.Range(0, tenantCount).Select(Datasets.TenantName).ToArray();
        // A few big tenants, a long tail of small ones.
        var weights = Enumerable.Range(0, tenantCount).Select(i => 1.0 / Math.Pow(i + 1, 0.9)).ToArray();
        var totalWeight = weights.Sum();

        var logBudget = targetSize * 3 / 100;
        var dataBudget = targetSize - logBudget;
        var cap = Math.Clamp(dataBudget / 10, 64 * 1024, 256L << 20);
        var plans = new List<DatasetPlan>();
        long used = 0;
        long id = 1000;
        while (used < dataBudget)
        {
            var size = Math.Min(Datasets.DrawSize(rng, cap), dataBudget - used);
            var pick = rng.NextDouble() * totalWeight;
            var tenant = 0;
            while (tenant < tenantCount - 1 && (pick -= weights[tenant]) > 0)
            {
                tenant++;
            }
            var (schema, ext) = Datasets.DrawKind(rng);
            id += 1 + rng.Next(3);
            var uploadedAt = Datasets.BaseTime + (id - 1000) * 86400L * LogDays / Math.Max(1, dataBudget / (256 * 1024));
            plans.Add(new DatasetPlan(tenants[tenant], id, schema, ext, size, Rng.Derive(seed, (ulong)id), uploadedAt));
            used += size;
        }

        long written = 0;
        var logDay = Datasets.BaseTime / 86400;
        var logSizes = Enumerable.Range(0, LogDays).Select(_ => (long)(logBudget / LogDays * (0.7 + 0.6 * rng.NextDouble()))).ToArray();
        var jobs = plans.Select(p => (Action)(() => Interlocked.Add(ref written, Datasets.Write(root, p))))
            .Concat(Enumerable.Range(0, LogDays).Select(d => (Action)(() =>
                Interlocked.Add(ref written, Logs.Write(root, logDay + d, logSizes[d], Rng.Derive(seed, 0xF00D0000UL + (ulong)d), tenants)))))
            .Zip(plans.Select(p => p.Size).Concat(logSizes))
            .OrderByDescending(j => j.Second)
            .Select(j => j.First)
            .ToArray();
        Parallel.ForEach(jobs, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, job => job());

        var text = plans.Where(p => p.IsText).Sum(p => p.Size);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"treegen: {tenants.Length} tenants, {plans.Count} datasets ({Size.Format(text)} text exports, {Size.Format(used - text)} incompressible), {LogDays} log files; {Size.Format(written)} written in {sw.Elapsed.TotalSeconds:0.0} s"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"treegen: largest upload {Size.Format(plans.Max(p => p.Size))}, median {Size.Format(plans.Select(p => p.Size).Order().ElementAt(plans.Count / 2))}"));
        return 0;
    }
}
