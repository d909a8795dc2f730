using System.Text.Json;
using Varlor.Testing;

namespace Varlor.Backup.Postgres.Tests;

public sealed class DumpRestoreTests
{
    [Fact]
    public async Task Dump_while_pgbench_writes_restores_exactly_the_recorded_rows()
    {
        await using var h = await DbHarness.CreateAsync("bench");
        var env = h.Cluster.LibpqEnvironment(h.Database);
        var init = await ProcessRunner.RunAsync(h.Cluster.Tool("pgbench"), ["-i", "-s", "2", "-q", "-n"], env);
        Assert.True(init.ExitCode == 0, init.Output);

        var bench = ProcessRunner.RunAsync(h.Cluster.Tool("pgbench"), ["-n", "-c", "2", "-T", "8"], env, timeout: TimeSpan.FromSeconds(60));
        await Task.Delay(1500); // writing has begun: pgbench_history grows during the dump
        var dump = await h.RunAsync("db", "dump", "--json");
        dump.AssertSuccess();
        var bench2 = await bench;
        Assert.True(bench2.ExitCode == 0, bench2.Output);

        using var json = JsonDocument.Parse(dump.Stdout);
        var tables = json.RootElement.GetProperty("manifest").GetProperty("tables").EnumerateArray()
            .ToDictionary(t => t.GetProperty("name").GetString()!, t => t.GetProperty("rows").GetInt64());
        Assert.Equal(200_000, tables["pgbench_accounts"]);
        var historyAtDump = tables["pgbench_history"];
        Assert.True(historyAtDump > 0, "pgbench wrote before the dump's snapshot");
        var historyNow = await h.ScalarAsync<long>("SELECT count(*) FROM pgbench_history");
        Assert.True(historyNow > historyAtDump, $"pgbench went on writing after the snapshot ({historyNow} vs {historyAtDump})");

        var copy = h.NewName("copy");
        var restore = await h.RunAsync("db", "restore", "latest", "--target-db", copy, "--jobs", "2");
        restore.AssertSuccess();
        Assert.Contains("restore checked: 4 tables", restore.Stdout);
        Assert.Equal(historyAtDump, await h.ScalarAsync<long>("SELECT count(*) FROM pgbench_history", copy));
        // The balances are consistent with the history of the same snapshot (pgbench's invariant).
        Assert.Equal(
            await h.ScalarAsync<long>("SELECT coalesce(sum(delta), 0) FROM pgbench_history", copy),
            await h.ScalarAsync<long>("SELECT sum(abalance) FROM pgbench_accounts", copy));
    }

    [Fact]
    public async Task An_unchanged_database_dumped_again_adds_almost_nothing_and_restores_in_place()
    {
        await using var h = await DbHarness.CreateAsync("again");
        await h.CreateVarlorSchemaAsync(datasets: 15000);
        var first = await h.RunAsync("db", "dump", "--json");
        first.AssertSuccess();
        var second = await h.RunAsync("db", "dump", "--json");
        second.AssertSuccess();
        // pg_dump's header (with its time) changes the first chunk; everything after it is deduplicated.
        static long Added(CliResult r) => JsonDocument.Parse(r.Stdout).RootElement.GetProperty("data_added").GetInt64();
        Assert.True(Added(second) < Added(first) / 4, $"second dump added {Added(second)} bytes, first {Added(first)}");

        await h.ExecAsync("DELETE FROM dataset_columns; UPDATE tenants SET name = 'later'");
        var noForce = await h.RunAsync("db", "restore", "latest", "--in-place");
        noForce.AssertOneLineError(1, "add --force");
        Assert.Equal(0L, await h.ScalarAsync<long>("SELECT count(*) FROM dataset_columns"));

        var restore = await h.RunAsync("db", "restore", "latest", "--in-place", "--force");
        restore.AssertSuccess();
        Assert.Contains("swapped:", restore.Stdout);
        Assert.Equal(90_000L, await h.ScalarAsync<long>("SELECT count(*) FROM dataset_columns"));
        Assert.Equal("acme", await h.ScalarAsync<string>("SELECT name FROM tenants"));
    }
}
