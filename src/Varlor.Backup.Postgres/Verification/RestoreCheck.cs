using Npgsql;
using Varlor.Backup.Postgres.Common;
using Varlor.Backup.Postgres.Dumps;

namespace Varlor.Backup.Postgres.Verification;

/// <summary>
/// A table's figures after a restore against those recorded at dump (or base backup) time. Actual is -1 when the
/// table is missing, -2 when it could not be read (Error says why); Note explains an adjusted expectation.
/// </summary>
public sealed record TableCheck(string Table, long Expected, long Actual, string? ExpectedChecksum, string? ActualChecksum,
    string? Error = null, string? Note = null)
{
    public bool Ok => Expected == Actual && ExpectedChecksum == ActualChecksum;
}

public sealed record RestoreCheck(string Database, List<TableCheck> Tables)
{
    public bool Ok => Tables.TrueForAll(t => t.Ok);
    public IEnumerable<TableCheck> Mismatches => Tables.Where(t => !t.Ok);

    /// <summary>
    /// Counts (and checksums where recorded) of the given tables in a restored database. A table that cannot be
    /// read is a failed check with PostgreSQL's message, not an abort. With <paramref name="physical"/>, unlogged
    /// tables are expected empty: a base backup never holds their rows (PostgreSQL resets them at recovery).
    /// </summary>
    public static async Task<RestoreCheck> RunAsync(PgSettings settings, string database, IReadOnlyCollection<TableInfo> tables,
        CancellationToken ct, bool physical = false)
    {
        await using var conn = await PgConnect.OpenAsync(settings, ct, database);
        var present = new Dictionary<string, bool>();
        await using (var cmd = new NpgsqlCommand("SELECT n.nspname || '.' || c.relname, c.relpersistence = 'u' FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r','p')", conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) present[r.GetString(0)] = r.GetBoolean(1);
        var checks = new List<TableCheck>();
        foreach (var t in tables)
        {
            if (!present.TryGetValue(t.QualifiedName, out var unlogged))
            {
                checks.Add(new TableCheck(t.QualifiedName, t.Rows, -1, t.Checksum, null));
                continue;
            }
            var (expected, expectedSum, note) = physical && unlogged ? (0L, (string?)null, $"unlogged: not in a base backup ({t.Rows} rows at backup time)") : (t.Rows, t.Checksum, null);
            try
            {
                var rows = await Catalog.CountAsync(conn, t.Schema, t.Name, ct);
                var sum = expectedSum is null ? null : await Catalog.ChecksumAsync(conn, t.Schema, t.Name, ct);
                checks.Add(new TableCheck(t.QualifiedName, expected, rows, expectedSum, sum, Note: note));
            }
            catch (PostgresException e)
            {
                checks.Add(new TableCheck(t.QualifiedName, expected, -2, expectedSum, null, Error: $"{e.MessageText} ({e.SqlState})", Note: note));
            }
        }
        return new RestoreCheck(database, checks);
    }
}
