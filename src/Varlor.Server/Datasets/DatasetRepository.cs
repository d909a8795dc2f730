using System.Text.Json;
using Npgsql;
using Varlor.Server.Database;

namespace Varlor.Server.Datasets;

/// <summary>
/// Reads of datasets, always filtered by tenant: another tenant's id looks exactly like a missing one. Each read
/// runs once more on a fresh connection when a pooled one was ended by the server (<see cref="DbRetry"/>).
/// </summary>
public sealed class DatasetRepository(NpgsqlDataSource dataSource)
{
    private const string Columns = """
        id, name, original_file_name, format, size, row_count, sha256, status, version, created_at, updated_at, deleted_at
        """;

    public Task<DatasetList> ListAsync(Guid tenantId, int limit, int offset, CancellationToken ct) =>
        DbRetry.RunAsync(dataSource, c => ListOnceAsync(tenantId, limit, offset, c), ct);

    public Task<DatasetView?> GetAsync(Guid tenantId, Guid id, CancellationToken ct) =>
        DbRetry.RunAsync(dataSource, c => GetOnceAsync(tenantId, id, c), ct);

    public Task<StoredFile?> GetFileAsync(Guid tenantId, Guid id, CancellationToken ct) =>
        DbRetry.RunAsync(dataSource, c => GetFileOnceAsync(tenantId, id, c), ct);

    private async Task<DatasetList> ListOnceAsync(Guid tenantId, int limit, int offset, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand($"""
            SELECT {Columns} FROM datasets
            WHERE tenant_id = $1 AND status = 'ready'
            ORDER BY created_at DESC, id DESC LIMIT $2 OFFSET $3
            """);
        cmd.Parameters.Add(new() { Value = tenantId });
        cmd.Parameters.Add(new() { Value = limit });
        cmd.Parameters.Add(new() { Value = offset });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var items = new List<DatasetView>();
        while (await reader.ReadAsync(ct)) items.Add(Read(reader, null));
        return new DatasetList(items, limit, offset);
    }

    private async Task<DatasetView?> GetOnceAsync(Guid tenantId, Guid id, CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        DatasetView? view;
        await using (var cmd = new NpgsqlCommand(
            $"SELECT {Columns} FROM datasets WHERE id = $1 AND tenant_id = $2 AND status = 'ready'", conn))
        {
            cmd.Parameters.Add(new() { Value = id });
            cmd.Parameters.Add(new() { Value = tenantId });
            await using var reader = await cmd.ExecuteReaderAsync(ct);
            view = await reader.ReadAsync(ct) ? Read(reader, null) : null;
        }

        if (view is null) return null;
        await using var cols = new NpgsqlCommand(
            "SELECT position, name, type, nullable, stats::text FROM dataset_columns WHERE dataset_id = $1 ORDER BY position", conn);
        cols.Parameters.Add(new() { Value = id });
        await using var r = await cols.ExecuteReaderAsync(ct);
        var columns = new List<ColumnView>();
        while (await r.ReadAsync(ct))
        {
            using var stats = JsonDocument.Parse(r.GetString(4));
            columns.Add(new ColumnView(r.GetInt32(0), r.GetString(1), r.GetString(2), r.GetBoolean(3), stats.RootElement.Clone()));
        }

        return view with { Columns = columns };
    }

    private async Task<StoredFile?> GetFileOnceAsync(Guid tenantId, Guid id, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT storage_path, original_file_name, format, sha256 FROM datasets
            WHERE id = $1 AND tenant_id = $2 AND status = 'ready'
            """);
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = tenantId });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct)
            ? new StoredFile(reader.GetString(0), reader.GetString(1), reader.GetString(2), reader.GetString(3))
            : null;
    }

    /// <summary>Marks the dataset deleted; its file stays until the purge. False when there is no such live dataset.</summary>
    public async Task<bool> SoftDeleteAsync(Guid tenantId, Guid id, CancellationToken ct)
    {
        // In a transaction so that the update may be retried on a fresh connection: the commit is not retried.
        await using var prepared = await DbRetry.BeginAsync(dataSource, async (conn, tx, c) =>
        {
            await using var cmd = new NpgsqlCommand("""
                UPDATE datasets SET status = 'deleted', deleted_at = now(), updated_at = now()
                WHERE id = $1 AND tenant_id = $2 AND status = 'ready'
                """, conn, tx);
            cmd.Parameters.Add(new() { Value = id });
            cmd.Parameters.Add(new() { Value = tenantId });
            return await cmd.ExecuteNonQueryAsync(c) == 1;
        }, ct);
        if (!prepared.Value) return false;
        await prepared.Transaction.CommitAsync(ct);
        return true;
    }

    private static DatasetView Read(NpgsqlDataReader r, IReadOnlyList<ColumnView>? columns) => new(
        r.GetGuid(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetInt64(4), r.GetInt64(5), r.GetString(6),
        r.GetString(7), r.GetInt32(8), Utc(r.GetDateTime(9)), Utc(r.GetDateTime(10)),
        r.IsDBNull(11) ? null : Utc(r.GetDateTime(11)), columns);

    private static DateTimeOffset Utc(DateTime t) => new(DateTime.SpecifyKind(t, DateTimeKind.Utc));
}
