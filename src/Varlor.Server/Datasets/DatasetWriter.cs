using Npgsql;
using NpgsqlTypes;
using Varlor.Server.Database;
using Varlor.Server.Datasets.Inference;
using Varlor.Server.Storage;
using Varlor.Server.Tenants;

namespace Varlor.Server.Datasets;

/// <summary>
/// Writes a dataset's rows and its file together. Order: journal (fsync) → rows in a transaction → rename the
/// temporary file into place (fsync) → commit → drop the journal (and the replaced file). The rows (not the
/// commit) are written again on a fresh connection when a stale pooled one fails (<see cref="DbRetry"/>).
/// A failure before the commit removes the file; a crash is settled on the next start by <see cref="StorageRecovery"/>.
/// </summary>
public sealed class DatasetWriter(NpgsqlDataSource dataSource, DatasetStorage storage, StorageRecovery recovery)
{
    public async Task<Guid> CreateAsync(Tenant tenant, ReceivedUpload upload, InspectionResult inspection, CancellationToken ct)
    {
        var id = Guid.CreateVersion7();
        var path = DatasetStorage.RelativePath(tenant.Id, id, 1, upload.Format.Name);
        await using var prepared = await DbRetry.BeginAsync(dataSource, async (conn, tx, c) =>
        {
            await using (var insert = new NpgsqlCommand("""
                INSERT INTO datasets (id, tenant_id, name, original_file_name, format, size, row_count, sha256, status, version, storage_path)
                VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'ready', 1, $9)
                """, conn, tx))
            {
                AddParameters(insert, id, tenant.Id, upload.Name ?? DefaultName(upload.FileName), upload.FileName,
                    upload.Format.Name, upload.Size, inspection.RowCount, upload.Sha256, path);
                await insert.ExecuteNonQueryAsync(c);
            }

            await InsertColumnsAsync(conn, tx, id, inspection.Columns, c);
            return new UploadJournal(id, 1, path, null);
        }, ct);
        await PlaceAndCommitAsync(prepared.Transaction, upload.TempPath, prepared.Value);
        return id;
    }

    /// <summary>Replaces the file of a live dataset with a new version. False when the tenant has no such dataset.</summary>
    public async Task<bool> ReplaceAsync(Tenant tenant, Guid id, ReceivedUpload upload, InspectionResult inspection, CancellationToken ct)
    {
        await using var prepared = await DbRetry.BeginAsync(dataSource, async (conn, tx, c) =>
        {
            int version;
            string oldPath;
            await using (var select = new NpgsqlCommand(
                "SELECT version, storage_path FROM datasets WHERE id = $1 AND tenant_id = $2 AND status = 'ready' FOR UPDATE", conn, tx))
            {
                select.Parameters.Add(new() { Value = id });
                select.Parameters.Add(new() { Value = tenant.Id });
                await using var reader = await select.ExecuteReaderAsync(c);
                if (!await reader.ReadAsync(c)) return null;
                version = reader.GetInt32(0) + 1;
                oldPath = reader.GetString(1);
            }

            var path = DatasetStorage.RelativePath(tenant.Id, id, version, upload.Format.Name);
            await using (var update = new NpgsqlCommand("""
                UPDATE datasets SET name = COALESCE($3, name), original_file_name = $4, format = $5, size = $6,
                    row_count = $7, sha256 = $8, storage_path = $9, version = $10, updated_at = now()
                WHERE id = $1 AND tenant_id = $2
                """, conn, tx))
            {
                AddParameters(update, id, tenant.Id, upload.Name, upload.FileName, upload.Format.Name, upload.Size,
                    inspection.RowCount, upload.Sha256, path);
                update.Parameters.Add(new() { Value = version });
                await update.ExecuteNonQueryAsync(c);
            }

            await using (var delete = new NpgsqlCommand("DELETE FROM dataset_columns WHERE dataset_id = $1", conn, tx))
            {
                delete.Parameters.Add(new() { Value = id });
                await delete.ExecuteNonQueryAsync(c);
            }

            await InsertColumnsAsync(conn, tx, id, inspection.Columns, c);
            return new UploadJournal(id, version, path, oldPath);
        }, ct);
        if (prepared.Value is not { } journal) return false;
        await PlaceAndCommitAsync(prepared.Transaction, upload.TempPath, journal);
        return true;
    }

    private async Task PlaceAndCommitAsync(NpgsqlTransaction tx, string tempPath, UploadJournal journal)
    {
        var journalPath = storage.WriteJournal(journal);
        try
        {
            storage.Promote(tempPath, journal.NewPath);
        }
        catch
        {
            File.Delete(journalPath); // nothing was renamed; the transaction rolls back when disposed
            throw;
        }

        try
        {
            // Past this point the client going away must not abort: the outcome is settled either way.
            await tx.CommitAsync(CancellationToken.None);
        }
        catch
        {
            await recovery.SettleAsync(journalPath, CancellationToken.None); // the commit may or may not have happened
            throw;
        }

        if (journal.OldPath is { } old && old != journal.NewPath) storage.DeleteFile(old);
        File.Delete(journalPath);
    }

    private static async Task InsertColumnsAsync(NpgsqlConnection conn, NpgsqlTransaction tx, Guid id,
        IReadOnlyList<InferredColumn> columns, CancellationToken ct)
    {
        if (columns.Count == 0) return;
        await using var cmd = new NpgsqlCommand("""
            INSERT INTO dataset_columns (dataset_id, position, name, type, nullable, stats)
            SELECT $1, u.position, u.name, u.type, u.nullable, u.stats::jsonb
            FROM unnest($2::integer[], $3::text[], $4::text[], $5::boolean[], $6::text[]) AS u(position, name, type, nullable, stats)
            """, conn, tx);
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = columns.Select(c => c.Position).ToArray() });
        cmd.Parameters.Add(new() { Value = columns.Select(c => c.Name).ToArray() });
        cmd.Parameters.Add(new() { Value = columns.Select(c => c.Type).ToArray() });
        cmd.Parameters.Add(new() { Value = columns.Select(c => c.Nullable).ToArray() });
        cmd.Parameters.Add(new() { Value = columns.Select(c => c.StatsJson).ToArray() });
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static void AddParameters(NpgsqlCommand cmd, Guid id, Guid tenantId, string? name, string fileName,
        string format, long size, long rows, string sha256, string path)
    {
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = tenantId });
        cmd.Parameters.Add(new() { Value = (object?)name ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        cmd.Parameters.Add(new() { Value = fileName });
        cmd.Parameters.Add(new() { Value = format });
        cmd.Parameters.Add(new() { Value = size });
        cmd.Parameters.Add(new() { Value = rows });
        cmd.Parameters.Add(new() { Value = sha256 });
        cmd.Parameters.Add(new() { Value = path });
    }

    private static string DefaultName(string fileName)
    {
        var stem = Path.GetFileNameWithoutExtension(fileName).Trim();
        return stem.Length == 0 ? fileName : stem;
    }
}
