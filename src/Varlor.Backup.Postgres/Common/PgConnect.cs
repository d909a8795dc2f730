using System.Net.Sockets;
using Npgsql;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Postgres.Common;

/// <summary>Opens connections and turns connection failures into one-line errors with their exit codes.</summary>
public static class PgConnect
{
    public static async Task<NpgsqlConnection> OpenAsync(PgSettings settings, CancellationToken ct, string? database = null)
    {
        var conn = new NpgsqlConnection(settings.ConnectionString(database));
        try
        {
            await conn.OpenAsync(ct);
            await using var cmd = new NpgsqlCommand("SET TimeZone = 'UTC'; SET DateStyle = 'ISO, YMD'; SET IntervalStyle = 'postgres'; SET extra_float_digits = 3; SET bytea_output = 'hex'", conn);
            await cmd.ExecuteNonQueryAsync(ct);
            return conn;
        }
        catch (Exception e) when (e is NpgsqlException or TimeoutException)
        {
            await conn.DisposeAsync();
            throw Translate(e, settings, database ?? settings.Database);
        }
    }

    public static VarlorException Translate(Exception e, PgSettings s, string database)
    {
        if (e is PostgresException pg)
        {
            return pg.SqlState switch
            {
                "28P01" or "28000" => new VarlorException($"PostgreSQL at {s.Where} refused user {s.User}: {pg.MessageText}", DbExitCodes.AuthenticationFailed, e),
                "3D000" => new VarlorException($"database {database} does not exist on {s.Where}", ExitCodes.Failure, e),
                _ => new VarlorException($"PostgreSQL at {s.Where}: {pg.MessageText} ({pg.SqlState})", ExitCodes.Failure, e),
            };
        }
        if (e.Message.Contains("password", StringComparison.OrdinalIgnoreCase) && e.Message.Contains("no password", StringComparison.OrdinalIgnoreCase))
            return new VarlorException($"PostgreSQL at {s.Where} asks user {s.User} for a password: set PGPASSWORD or PGPASSFILE", DbExitCodes.AuthenticationFailed, e);
        var root = e;
        while (root.InnerException is not null && root is not SocketException) root = root.InnerException;
        var why = root is SocketException se ? se.Message : e is TimeoutException || e.InnerException is TimeoutException ? "timed out" : e.Message;
        return new VarlorException($"cannot connect to PostgreSQL at {s.Where}: {why.TrimEnd('.')}", DbExitCodes.Unreachable, e);
    }
}
