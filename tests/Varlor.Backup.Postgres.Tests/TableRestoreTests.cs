using Varlor.Backup.Postgres.Common;

namespace Varlor.Backup.Postgres.Tests;

public sealed class TableRestoreTests
{
    private static async Task<DbHarness> SetUpAsync()
    {
        var h = await DbHarness.CreateAsync("tables");
        await h.CreateVarlorSchemaAsync(datasets: 50);
        // A table with a sequence, a default, an index and a foreign key, restored with the service's tables.
        await h.ExecAsync("""
            CREATE TABLE dataset_events (id bigserial PRIMARY KEY, dataset_id uuid NOT NULL REFERENCES datasets (id) ON DELETE CASCADE,
                                         kind text NOT NULL DEFAULT 'upload');
            CREATE INDEX dataset_events_dataset ON dataset_events (dataset_id);
            INSERT INTO dataset_events (dataset_id) SELECT id FROM datasets;
            """);
        (await h.RunAsync("db", "dump")).AssertSuccess();
        return h;
    }

    [Fact]
    public async Task In_place_table_restore_brings_back_constraints_and_sequence_values_and_leaves_other_tables_alone()
    {
        await using var h = await SetUpAsync();
        // Later changes: damage to the restored tables, and a change to a table that is not restored.
        await h.ExecAsync("""
            INSERT INTO dataset_events (dataset_id) SELECT id FROM datasets;
            DELETE FROM dataset_columns WHERE position > 2;
            ALTER TABLE dataset_columns DROP CONSTRAINT dataset_columns_pkey;
            DROP INDEX dataset_events_dataset;
            UPDATE tenants SET name = 'renamed-later';
            """);
        var r = await h.RunAsync("db", "restore", "latest", "--in-place", "--force",
            "--table", "datasets", "--table", "dataset_columns", "--table", "dataset_events");
        r.AssertSuccess();
        Assert.Contains("SEQUENCE SET public dataset_events_id_seq", r.Stdout);
        Assert.Contains("FK CONSTRAINT public dataset_columns dataset_columns_dataset_id_fkey", r.Stdout);
        Assert.Contains("restore checked: 3 tables", r.Stdout);

        Assert.Equal(300L, await h.ScalarAsync<long>("SELECT count(*) FROM dataset_columns"));
        Assert.Equal(50L, await h.ScalarAsync<long>("SELECT count(*) FROM dataset_events"));
        Assert.Equal(50L, await h.ScalarAsync<long>("SELECT last_value FROM dataset_events_id_seq"));
        Assert.Equal(51L, await h.ScalarAsync<long>("INSERT INTO dataset_events (dataset_id) SELECT id FROM datasets LIMIT 1 RETURNING id"));
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT count(*) FROM pg_constraint WHERE conname = 'dataset_columns_pkey'"));
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT count(*) FROM pg_constraint WHERE conname = 'dataset_columns_dataset_id_fkey'"));
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT count(*) FROM pg_constraint WHERE conname = 'datasets_tenant_id_fkey'"));
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT count(*) FROM pg_indexes WHERE indexname = 'dataset_events_dataset'"));
        Assert.Contains("upload", await h.ScalarAsync<string>("SELECT column_default FROM information_schema.columns WHERE table_name = 'dataset_events' AND column_name = 'kind'"));
        Assert.Equal("renamed-later", await h.ScalarAsync<string>("SELECT name FROM tenants"));
    }

    [Fact]
    public async Task Tables_restored_into_a_new_database_for_inspection_keep_their_keys_and_skip_outside_foreign_keys()
    {
        await using var h = await SetUpAsync();
        var inspect = h.NewName("inspect");
        var r = await h.RunAsync("db", "restore", "latest", "--target-db", inspect, "--table", "datasets", "--table", "dataset_columns");
        r.AssertSuccess();
        Assert.Equal(50L, await h.ScalarAsync<long>("SELECT count(*) FROM datasets", inspect));
        Assert.Equal(300L, await h.ScalarAsync<long>("SELECT count(*) FROM dataset_columns", inspect));
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT count(*) FROM pg_constraint WHERE conname = 'dataset_columns_pkey'", inspect));
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT count(*) FROM pg_constraint WHERE conname = 'dataset_columns_dataset_id_fkey'", inspect));
        Assert.Equal(0L, await h.ScalarAsync<long>("SELECT count(*) FROM pg_class WHERE relname = 'tenants'", inspect));
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT count(*) FROM pg_indexes WHERE indexname = 'datasets_tenant_created'", inspect));
    }

    [Fact]
    public async Task An_in_place_table_restore_that_cannot_apply_changes_nothing()
    {
        await using var h = await SetUpAsync();
        await h.ExecAsync("DELETE FROM dataset_events WHERE id > 10");
        // datasets alone cannot be dropped: dataset_columns (not restored) references it. One transaction: nothing changes.
        var r = await h.RunAsync("db", "restore", "latest", "--in-place", "--force", "--table", "datasets");
        Assert.Equal(DbExitCodes.ToolFailed, r.ExitCode);
        Assert.Contains("pg_restore failed", r.Stderr);
        Assert.Equal(10L, await h.ScalarAsync<long>("SELECT count(*) FROM dataset_events"));
        Assert.Equal(50L, await h.ScalarAsync<long>("SELECT count(*) FROM datasets"));
    }
}
