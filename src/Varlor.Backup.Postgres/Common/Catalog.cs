using Npgsql;
using Varlor.Backup.Postgres.Dumps;

namespace Varlor.Backup.Postgres.Common;

/// <summary>Reads tables, exact row counts, checksums and dependent objects of a database (in the caller's transaction).</summary>
public static class Catalog
{
    /// <summary>Tables whose content checksum is recorded by default: the data-import service's metadata.</summary>
    public static readonly IReadOnlyList<string> DefaultChecksumTables = ["datasets", "dataset_columns"];

    private const string UserTables = """
        n.nspname NOT IN ('pg_catalog', 'information_schema') AND n.nspname NOT LIKE 'pg\_toast%' AND n.nspname NOT LIKE 'pg\_temp%'
        """;

    public static async Task<List<TableInfo>> ReadTablesAsync(NpgsqlConnection conn, IReadOnlyCollection<string> checksumTables, CancellationToken ct)
    {
        var tables = new List<(uint Oid, string Schema, string Name)>();
        await using (var cmd = new NpgsqlCommand($"""
            SELECT c.oid, n.nspname, c.relname FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
            WHERE c.relkind IN ('r', 'p') AND {UserTables} ORDER BY 2, 3
            """, conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct)) tables.Add((r.GetFieldValue<uint>(0), r.GetString(1), r.GetString(2)));

        var sequences = await GroupAsync(conn, """
            SELECT d.refobjid, s.relname FROM pg_depend d JOIN pg_class s ON s.oid = d.objid AND s.relkind = 'S'
            WHERE d.classid = 'pg_class'::regclass AND d.refclassid = 'pg_class'::regclass AND d.deptype IN ('a', 'i') ORDER BY 2
            """, ct);
        var indexes = await GroupAsync(conn, """
            SELECT x.indrelid, i.relname FROM pg_index x JOIN pg_class i ON i.oid = x.indexrelid
            WHERE NOT EXISTS (SELECT 1 FROM pg_constraint k WHERE k.conindid = x.indexrelid AND k.contype IN ('p', 'u', 'x')) ORDER BY 2
            """, ct);
        var defaults = await GroupAsync(conn, """
            SELECT d.adrelid, a.attname FROM pg_attrdef d JOIN pg_attribute a ON a.attrelid = d.adrelid AND a.attnum = d.adnum ORDER BY 2
            """, ct);
        var triggers = await GroupAsync(conn, "SELECT tgrelid, tgname FROM pg_trigger WHERE NOT tgisinternal ORDER BY 2", ct);
        var constraints = new Dictionary<uint, List<ConstraintInfo>>();
        await using (var cmd = new NpgsqlCommand("""
            SELECT k.conrelid, k.conname, k.contype::text, rn.nspname, rc.relname FROM pg_constraint k
            LEFT JOIN pg_class rc ON rc.oid = k.confrelid LEFT JOIN pg_namespace rn ON rn.oid = rc.relnamespace
            WHERE k.contype IN ('p', 'u', 'x', 'f') AND k.conrelid <> 0 ORDER BY 2
            """, conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
            while (await r.ReadAsync(ct))
            {
                var list = constraints.TryGetValue(r.GetFieldValue<uint>(0), out var l) ? l : constraints[r.GetFieldValue<uint>(0)] = [];
                list.Add(new ConstraintInfo(r.GetString(1), r.GetString(2) == "f" ? "foreign_key" : "key",
                    r.IsDBNull(3) ? null : r.GetString(3), r.IsDBNull(4) ? null : r.GetString(4)));
            }

        var result = new List<TableInfo>(tables.Count);
        foreach (var (oid, schema, name) in tables)
        {
            var rows = await CountAsync(conn, schema, name, ct);
            var checksum = checksumTables.Contains(name) || checksumTables.Contains($"{schema}.{name}")
                ? await ChecksumAsync(conn, schema, name, ct) : null;
            result.Add(new TableInfo
            {
                Schema = schema, Name = name, Rows = rows, Checksum = checksum,
                Sequences = sequences.GetValueOrDefault(oid) ?? [], Indexes = indexes.GetValueOrDefault(oid) ?? [],
                Defaults = defaults.GetValueOrDefault(oid) ?? [], Triggers = triggers.GetValueOrDefault(oid) ?? [],
                Constraints = constraints.GetValueOrDefault(oid) ?? [],
            });
        }
        return result;
    }

    public static string Quote(string identifier) => "\"" + identifier.Replace("\"", "\"\"", StringComparison.Ordinal) + "\"";
    public static string Qualified(string schema, string name) => Quote(schema) + "." + Quote(name);

    public static async Task<long> CountAsync(NpgsqlConnection conn, string schema, string name, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand($"SELECT count(*) FROM ONLY {Qualified(schema, name)}", conn);
        return (long)(await cmd.ExecuteScalarAsync(ct))!;
    }

    /// <summary>Independent of physical row order; the session settings of <see cref="PgConnect"/> fix the text forms.</summary>
    public static async Task<string> ChecksumAsync(NpgsqlConnection conn, string schema, string name, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(
            $"SELECT md5(coalesce(string_agg(h, '' ORDER BY h), '')) FROM (SELECT md5(t::text) AS h FROM ONLY {Qualified(schema, name)} t) s", conn);
        return (string)(await cmd.ExecuteScalarAsync(ct))!;
    }

    private static async Task<Dictionary<uint, List<string>>> GroupAsync(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        var map = new Dictionary<uint, List<string>>();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await using var r = await cmd.ExecuteReaderAsync(ct);
        while (await r.ReadAsync(ct))
        {
            var key = r.GetFieldValue<uint>(0);
            if (!map.TryGetValue(key, out var list)) map[key] = list = [];
            list.Add(r.GetString(1));
        }
        return map;
    }
}
