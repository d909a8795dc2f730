using Npgsql;
using Varlor.Backup.Postgres.Common;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Postgres.Dumps;

/// <summary>
/// Puts a restored and checked database in place of the live one by renaming, in a few milliseconds: the live
/// database stops taking connections, its sessions are terminated, it is renamed to NAME_before_restore_TIME (kept
/// for inspection: drop it when satisfied), and the restored one takes its name. If the second rename fails the
/// first is undone.
/// </summary>
public static class DatabaseSwap
{
    public static async Task<string> SwapAsync(PgSettings settings, string live, string restored, CancellationToken ct)
    {
        var old = Truncate($"{live}_before_restore_{DateTime.UtcNow:yyyyMMddHHmmss}");
        await using var conn = await PgConnect.OpenAsync(settings, ct, DbRestorer.MaintenanceDatabase);
        await Exec(conn, $"ALTER DATABASE {Catalog.Quote(live)} ALLOW_CONNECTIONS false", ct);
        try
        {
            await using (var kill = new NpgsqlCommand("SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", conn))
            {
                kill.Parameters.Add(new NpgsqlParameter { Value = live });
                await kill.ExecuteScalarAsync(ct);
            }
            await WaitGoneAsync(conn, live, ct);
            await Exec(conn, $"ALTER DATABASE {Catalog.Quote(live)} RENAME TO {Catalog.Quote(old)}", ct);
        }
        catch
        {
            await Exec(conn, $"ALTER DATABASE {Catalog.Quote(live)} ALLOW_CONNECTIONS true", CancellationToken.None);
            throw;
        }
        try
        {
            await Exec(conn, $"ALTER DATABASE {Catalog.Quote(restored)} RENAME TO {Catalog.Quote(live)}", ct);
        }
        catch (PostgresException e)
        {
            await Exec(conn, $"ALTER DATABASE {Catalog.Quote(old)} RENAME TO {Catalog.Quote(live)}", CancellationToken.None);
            await Exec(conn, $"ALTER DATABASE {Catalog.Quote(live)} ALLOW_CONNECTIONS true", CancellationToken.None);
            throw new VarlorException($"could not rename {restored} to {live} ({e.MessageText}); {live} is unchanged, the restored copy stays as {restored}");
        }
        await Exec(conn, $"ALTER DATABASE {Catalog.Quote(old)} ALLOW_CONNECTIONS true", ct);
        return old;
    }

    /// <summary>The live database's owner, ACL, connection limit and settings, for the copy that will replace it.</summary>
    public static async Task<DatabaseProperties> ReadPropertiesAsync(PgSettings settings, string live, CancellationToken ct)
    {
        await using var conn = await PgConnect.OpenAsync(settings, ct, DbRestorer.MaintenanceDatabase);
        return await DatabaseProperties.ReadAsync(conn, live, ct);
    }

    /// <summary>Gives the restored copy what <see cref="ReadPropertiesAsync"/> read (before the swap: a failure leaves the live one alone).</summary>
    public static async Task ApplyPropertiesAsync(PgSettings settings, DatabaseProperties properties, string restored, CancellationToken ct)
    {
        await using var conn = await PgConnect.OpenAsync(settings, ct, DbRestorer.MaintenanceDatabase);
        await properties.ApplyAsync(conn, restored, ct);
    }

    public static string Truncate(string name) => name.Length <= 63 ? name : name[..40] + name[^23..];

    private static async Task WaitGoneAsync(NpgsqlConnection conn, string database, CancellationToken ct)
    {
        for (var i = 0; i < 50; i++)
        {
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", conn);
            cmd.Parameters.Add(new NpgsqlParameter { Value = database });
            if ((long)(await cmd.ExecuteScalarAsync(ct))! == 0) return;
            await Task.Delay(100, ct);
        }
        throw new VarlorException($"sessions of {database} did not end after termination: nothing was swapped");
    }

    private static async Task Exec(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
