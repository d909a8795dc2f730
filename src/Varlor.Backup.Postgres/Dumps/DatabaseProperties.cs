using System.Text;
using Npgsql;
using Varlor.Backup.Postgres.Common;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Postgres.Dumps;

/// <summary>One entry of a database's ACL (Grantee "PUBLIC" or a role name).</summary>
public sealed record DatabaseGrant(string Grantee, string Privilege, bool WithGrantOption);

/// <summary>
/// What a dump does not hold about a database itself: its owner, its ACL (GRANT ... ON DATABASE), its connection
/// limit and its settings (ALTER DATABASE ... SET). An in-place restore reads them from the live database, creates
/// the restored one with the same owner (PostgreSQL 15's public schema belongs to the database owner: a database
/// owned by the restoring role would leave the service unable to create tables) and applies the rest before the
/// swap. Settings of one role in one database (ALTER ROLE ... IN DATABASE) need superuser and are not copied.
/// </summary>
public sealed record DatabaseProperties(string Owner, int ConnectionLimit, List<DatabaseGrant> Grants, bool DefaultAcl, List<string> Settings)
{
    /// <summary>GUCs whose values are lists that ALTER ... SET takes as separate items (as pg_dump treats them).</summary>
    private static readonly HashSet<string> ListSettings = ["search_path", "temp_tablespaces", "session_preload_libraries", "local_preload_libraries"];

    public static async Task<DatabaseProperties> ReadAsync(NpgsqlConnection conn, string database, CancellationToken ct)
    {
        string owner;
        int limit;
        bool defaultAcl;
        await using (var cmd = new NpgsqlCommand("SELECT pg_get_userbyid(datdba), datconnlimit, datacl IS NULL FROM pg_database WHERE datname = $1", conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = database });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            if (!await r.ReadAsync(ct)) throw new VarlorException($"database {database} does not exist");
            (owner, limit, defaultAcl) = (r.GetString(0), r.GetInt32(1), r.GetBoolean(2));
        }
        var grants = new List<DatabaseGrant>();
        await using (var cmd = new NpgsqlCommand(
            "SELECT CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END, a.privilege_type, a.is_grantable " +
            "FROM pg_database d, aclexplode(d.datacl) a WHERE d.datname = $1", conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = database });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) grants.Add(new DatabaseGrant(r.GetString(0), r.GetString(1), r.GetBoolean(2)));
        }
        var settings = new List<string>();
        await using (var cmd = new NpgsqlCommand(
            "SELECT unnest(s.setconfig) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase WHERE d.datname = $1 AND s.setrole = 0", conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = database });
            await using var r = await cmd.ExecuteReaderAsync(ct);
            while (await r.ReadAsync(ct)) settings.Add(r.GetString(0));
        }
        return new DatabaseProperties(owner, limit, grants, defaultAcl, settings);
    }

    /// <summary>Gives <paramref name="database"/> (created with <see cref="Owner"/>) the ACL, connection limit and settings read.</summary>
    public async Task ApplyAsync(NpgsqlConnection conn, string database, CancellationToken ct)
    {
        var db = Catalog.Quote(database);
        var sql = new StringBuilder();
        if (!DefaultAcl)
        {
            // The new database has the default ACL (owner: all; PUBLIC: CONNECT, TEMPORARY): replace it by the live one's.
            sql.Append($"REVOKE ALL ON DATABASE {db} FROM PUBLIC, {Catalog.Quote(Owner)};\n");
            foreach (var g in Grants)
                sql.Append($"GRANT {g.Privilege} ON DATABASE {db} TO {(g.Grantee == "PUBLIC" ? "PUBLIC" : Catalog.Quote(g.Grantee))}{(g.WithGrantOption ? " WITH GRANT OPTION" : "")};\n");
        }
        if (ConnectionLimit != -1) sql.Append($"ALTER DATABASE {db} WITH CONNECTION LIMIT {ConnectionLimit};\n");
        foreach (var setting in Settings) sql.Append($"ALTER DATABASE {db} SET {SetClause(setting)};\n");
        if (sql.Length == 0) return;
        await using var cmd = new NpgsqlCommand(sql.ToString(), conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>"name=value" as stored in pg_db_role_setting to "name = 'value'" (list settings item by item).</summary>
    public static string SetClause(string setting)
    {
        var eq = setting.IndexOf('=', StringComparison.Ordinal);
        var (name, value) = (setting[..eq], setting[(eq + 1)..]);
        var items = ListSettings.Contains(name) ? SplitList(value) : [value];
        return Catalog.Quote(name) + " = " + string.Join(", ", items.Select(Literal));
    }

    private static string Literal(string value) => "'" + value.Replace("'", "''", StringComparison.Ordinal) + "'";

    /// <summary>Splits a list value ("\"$user\", public") at commas outside double quotes, removing the quotes.</summary>
    private static List<string> SplitList(string value)
    {
        var items = new List<string>();
        var current = new StringBuilder();
        var quoted = false;
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            if (c == '"' && quoted && i + 1 < value.Length && value[i + 1] == '"') { current.Append('"'); i++; }
            else if (c == '"') quoted = !quoted;
            else if (c == ',' && !quoted) { items.Add(current.ToString().Trim()); current.Clear(); }
            else current.Append(c);
        }
        items.Add(current.ToString().Trim());
        return items;
    }
}
