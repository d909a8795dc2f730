using Npgsql;

namespace Varlor.Backup.Postgres;

/// <summary>A table's figures after a restore against those recorded at dump time.</summary>
public sealed record TableCheck(string Table, long Expected, long Actual, string? ExpectedChecksum, string? ActualChecksum)
{
    public bool Ok => Expected == Actual && ExpectedChecksum == ActualChecksum;
}

public sealed record RestoreCheck(string Database, List<TableCheck> Tables)
{
    public bool Ok => Tables.TrueForAll(t => t.Ok);
    public IEnumerable<TableCheck> Mismatches => Tables.Where(t => !t.Ok);

    /// <summary>Counts (and checksums where recorded) of the given tables of the manifest, in a restored database.</summary>
    public static async Task<RestoreCheck> RunAsync(PgSettings settings, string database, DumpManifest manifest,
        IReadOnlyCollection<TableInfo> tables, CancellationToken ct)
    {
        await using var conn = await PgConnect.OpenAsync(settings, ct, database);
        var present = new HashSet<string>();
        await using (var cmd = new NpgsqlCommand("SELECT n.nspname || '.' || c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p')", conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) present.Add(r.GetString(0));
        var checks = new List<TableCheck>();
        foreach (var t in tables)
        {
            if (!present.Contains(t.QualifiedName))
            {
                checks.Add(new TableCheck(t.QualifiedName, t.Rows, -1, t.Checksum, null));
                continue;
            }
            var rows = await Catalog.CountAsync(conn, t.Schema, t.Name, ct);
            var sum = t.Checksum is null ? null : await Catalog.ChecksumAsync(conn, t.Schema, t.Name, ct);
            checks.Add(new TableCheck(t.QualifiedName, t.Rows, rows, t.Checksum, sum));
        }
        _ = manifest;
        return new RestoreCheck(database, checks);
    }
}
