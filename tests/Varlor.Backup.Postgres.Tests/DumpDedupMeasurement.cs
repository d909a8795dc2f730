using System.Diagnostics;
using System.Globalization;
using Xunit.Abstractions;
using Varlor.Testing;

namespace Varlor.Backup.Postgres.Tests;

/// <summary>
/// A measurement, not a timed test (runs only with VARLOR_PG_MEASURE=1; figures go to the test output and into
/// docs/benchmarks.md by hand): 30 daily dumps of a Varlor-like database where 1% of the rows change per day,
/// against one dump's repository space and against the guide's pg_dump -Fc -Z9 + gzip files.
/// </summary>
public sealed class DumpDedupMeasurement(ITestOutputHelper log)
{
    private const int Days = 30;
    private const int Datasets = 60_000; // x 6 columns

    [Theory]
    [InlineData("appends")]
    [InlineData("scattered")]
    public async Task Thirty_daily_dumps(string pattern)
    {
        if (Environment.GetEnvironmentVariable("VARLOR_PG_MEASURE") != "1") return;
        await using var h = await DbHarness.CreateAsync("measure");
        await h.CreateVarlorSchemaAsync(Datasets);
        await h.ExecAsync("VACUUM ANALYZE");
        long first = 0, guide = 0, dumpBytes = 0;
        var clock = new Stopwatch();
        for (var day = 1; day <= Days; day++)
        {
            if (day > 1) await ChangeOnePercentAsync(h, pattern, day);
            clock.Start();
            (await h.RunAsync("db", "dump")).AssertSuccess();
            clock.Stop();
            var size = RepoBytes(h.Repo);
            if (day == 1) first = size;
            guide += await GuideDumpBytesAsync(h);
            if (day == 1 || day % 10 == 0)
            {
                dumpBytes = await h.ScalarAsync<long>("SELECT pg_database_size(current_database())");
                log.WriteLine($"{pattern} day {day}: repository {size:N0} B ({(double)size / first:0.00}x one dump), guide's files {guide:N0} B, database {dumpBytes:N0} B");
            }
        }
        var total = RepoBytes(h.Repo);
        log.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"RESULT {pattern}: one dump {first:N0} B, {Days} dumps {total:N0} B = {(double)total / first:0.00}x; guide -Fc -Z9 + gzip: {guide:N0} B = {(double)guide / first:0.00}x; dump time avg {clock.Elapsed.TotalSeconds / Days:0.00}s"));
    }

    /// <summary>1% of the rows per day. appends: new uploads and re-uploads of recent datasets, deletes of recent
    /// ones (how the service's tables grow); scattered: updates of rows chosen at random over the whole table.</summary>
    private static async Task ChangeOnePercentAsync(DbHarness h, string pattern, int day)
    {
        var n = Datasets / 100;
        if (pattern == "scattered")
        {
            await h.ExecAsync($"""
                UPDATE datasets SET version = version + 1, updated_at = now() WHERE id IN (SELECT id FROM datasets ORDER BY random() LIMIT {n});
                UPDATE dataset_columns SET stats = jsonb_build_object('day', {day}) WHERE (dataset_id, position) IN
                  (SELECT dataset_id, position FROM dataset_columns ORDER BY random() LIMIT {n * 6});
                """);
            return;
        }
        await h.ExecAsync($"""
            WITH d AS (
              INSERT INTO datasets (id, tenant_id, name, original_file_name, format, size, row_count, sha256, status, storage_path)
              SELECT gen_random_uuid(), (SELECT id FROM tenants LIMIT 1), 'day {day} set ' || g, 'f.csv', 'csv', 100 + g, g, md5(g::text) || md5(g::text), 'ready', 'datasets/x/' || g
              FROM generate_series(1, {n * 6 / 10}) g RETURNING id)
            INSERT INTO dataset_columns (dataset_id, position, name, type, nullable, stats)
              SELECT d.id, p, 'col' || p, 'text', true, jsonb_build_object('day', {day}) FROM d, generate_series(0, 5) p;
            UPDATE datasets SET version = version + 1, updated_at = now()
              WHERE id IN (SELECT id FROM datasets ORDER BY created_at DESC, id LIMIT {n * 2 / 10} OFFSET {n});
            UPDATE datasets SET status = 'deleted', deleted_at = now()
              WHERE id IN (SELECT id FROM datasets WHERE status = 'ready' ORDER BY created_at DESC, id LIMIT {n * 2 / 10} OFFSET {2 * n});
            """);
    }

    private static long RepoBytes(string repo) =>
        new[] { "data", "index", "snapshots", "keys" }.Select(d => Path.Combine(repo, d)).Where(Directory.Exists)
            .SelectMany(d => Directory.EnumerateFiles(d, "*", SearchOption.AllDirectories)).Sum(f => new FileInfo(f).Length);

    /// <summary>The guide's daily file: pg_dump --format=custom --compress=9, then gzip.</summary>
    private static async Task<long> GuideDumpBytesAsync(DbHarness h)
    {
        var file = Path.Combine(h.Root, "guide.dump");
        var r = await ProcessRunner.RunAsync(h.Cluster.Tool("pg_dump"), ["--format=custom", "--compress=9", "--file=" + file],
            h.Cluster.LibpqEnvironment(h.Database), timeout: TimeSpan.FromMinutes(5));
        Assert.True(r.ExitCode == 0, r.Output);
        var gz = await ProcessRunner.RunAsync("gzip", ["-f", file]);
        Assert.True(gz.ExitCode == 0, gz.Output);
        var size = new FileInfo(file + ".gz").Length;
        File.Delete(file + ".gz");
        return size;
    }
}
