using Npgsql;
using Varlor.Server.Storage;

namespace Varlor.Server.Maintenance;

public sealed record PurgeResult(int Purged, IReadOnlyList<Guid> DatasetIds);

/// <summary>
/// Removes for good the datasets soft-deleted longer ago than the given age: the dataset's directory is first
/// renamed into tmp/ (one atomic step), then its rows are deleted, then the directory. A crash in between
/// leaves a 'deleted' row that the next purge finishes, and a tmp/ entry that the next start removes.
/// </summary>
public sealed class PurgeService(NpgsqlDataSource dataSource, DatasetStorage storage, ILogger<PurgeService> log)
{
    public async Task<PurgeResult> PurgeAsync(TimeSpan olderThan, CancellationToken ct)
    {
        var due = new List<(Guid Id, Guid Tenant)>();
        await using (var select = dataSource.CreateCommand(
            "SELECT id, tenant_id FROM datasets WHERE status = 'deleted' AND deleted_at <= now() - $1 ORDER BY deleted_at"))
        {
            select.Parameters.Add(new() { Value = olderThan });
            await using var reader = await select.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct)) due.Add((reader.GetGuid(0), reader.GetGuid(1)));
        }

        var purged = new List<Guid>();
        foreach (var (id, tenant) in due)
        {
            ct.ThrowIfCancellationRequested();
            var trash = storage.MoveDatasetToTrash(tenant, id);
            await using var delete = dataSource.CreateCommand("DELETE FROM datasets WHERE id = $1 AND status = 'deleted'");
            delete.Parameters.Add(new() { Value = id });
            if (await delete.ExecuteNonQueryAsync(CancellationToken.None) == 1) purged.Add(id);
            if (trash is not null) Directory.Delete(trash, recursive: true);
            log.LogInformation("Purged dataset {DatasetId} of tenant {TenantId}", id, tenant);
        }

        return new PurgeResult(purged.Count, purged);
    }
}
