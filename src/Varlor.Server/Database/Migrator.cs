using System.Reflection;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Varlor.Server.Database;

/// <summary>One embedded SQL file, named NNNN_description.sql.</summary>
public sealed record Migration(int Version, string Name, string Sql)
{
    public string Checksum { get; } = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(Sql)));
}

/// <summary>Applies the ordered, versioned SQL files embedded in the program, each in its own transaction.</summary>
public sealed class Migrator(NpgsqlDataSource dataSource)
{
    // Any constant works; it only has to be the same for every varlor-server process.
    private const long AdvisoryLockKey = 0x5641_524C_4F52_0001;

    public static IReadOnlyList<Migration> Embedded { get; } = LoadEmbedded();

    /// <summary>Brings the schema up to date; returns the migrations applied now (empty when already current).</summary>
    public async Task<IReadOnlyList<Migration>> MigrateAsync(CancellationToken ct)
    {
        await using var conn = await dataSource.OpenConnectionAsync(ct);
        await Exec(conn, null, "SELECT pg_advisory_lock(" + AdvisoryLockKey + ")", ct);
        try
        {
            await Exec(conn, null, """
                CREATE TABLE IF NOT EXISTS schema_migrations (
                    version    integer     PRIMARY KEY,
                    name       text        NOT NULL,
                    checksum   text        NOT NULL,
                    applied_at timestamptz NOT NULL DEFAULT now())
                """, ct);
            var applied = new Dictionary<int, (string Name, string Checksum)>();
            await using (var cmd = new NpgsqlCommand("SELECT version, name, checksum FROM schema_migrations", conn))
            await using (var reader = await cmd.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                    applied[reader.GetInt32(0)] = (reader.GetString(1), reader.GetString(2));
            }

            var newest = Embedded.Count == 0 ? 0 : Embedded[^1].Version;
            var unknown = applied.Keys.Where(v => v > newest).ToList();
            if (unknown.Count > 0)
                throw new InvalidOperationException(
                    $"the database has schema version {unknown.Max()} but this program only knows up to {newest}: run a newer varlor-server");

            var done = new List<Migration>();
            foreach (var m in Embedded)
            {
                if (applied.TryGetValue(m.Version, out var existing))
                {
                    if (existing.Checksum != m.Checksum)
                        throw new InvalidOperationException(
                            $"migration {m.Version} ({m.Name}) was changed after it was applied (checksum {existing.Checksum} in the database, {m.Checksum} in the program)");
                    continue;
                }

                await using var tx = await conn.BeginTransactionAsync(ct);
                await Exec(conn, tx, m.Sql, ct);
                await using (var insert = new NpgsqlCommand(
                    "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", conn, tx))
                {
                    insert.Parameters.Add(new() { Value = m.Version });
                    insert.Parameters.Add(new() { Value = m.Name });
                    insert.Parameters.Add(new() { Value = m.Checksum });
                    await insert.ExecuteNonQueryAsync(ct);
                }

                await tx.CommitAsync(ct);
                done.Add(m);
            }

            return done;
        }
        finally
        {
            await Exec(conn, null, "SELECT pg_advisory_unlock(" + AdvisoryLockKey + ")", CancellationToken.None);
        }
    }

    private static async Task Exec(NpgsqlConnection conn, NpgsqlTransaction? tx, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn, tx);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    private static List<Migration> LoadEmbedded()
    {
        var asm = Assembly.GetExecutingAssembly();
        var list = new List<Migration>();
        foreach (var resource in asm.GetManifestResourceNames())
        {
            if (!resource.StartsWith("Migrations.", StringComparison.Ordinal) || !resource.EndsWith(".sql", StringComparison.Ordinal))
                continue;
            var name = resource["Migrations.".Length..^".sql".Length];
            var underscore = name.IndexOf('_', StringComparison.Ordinal);
            if (underscore <= 0 || !int.TryParse(name.AsSpan(0, underscore), out var version))
                throw new InvalidOperationException($"embedded migration '{resource}' is not named NNNN_description.sql");
            using var stream = asm.GetManifestResourceStream(resource)!;
            using var reader = new StreamReader(stream, Encoding.UTF8);
            list.Add(new Migration(version, name, reader.ReadToEnd()));
        }

        list.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < list.Count; i++)
        {
            if (list[i].Version == list[i - 1].Version)
                throw new InvalidOperationException($"two embedded migrations have version {list[i].Version}");
        }

        return list;
    }
}
