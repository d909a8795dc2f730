using System.Globalization;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;
using Varlor.Server.Database;
using Varlor.Server.Maintenance;

namespace Varlor.Server.Hosting;

/// <summary>
/// A request that failed because the database cannot be reached answers 503 with Retry-After, not 500: the
/// server is fine and the client should come back. In maintenance mode (a restore may be renaming or rebuilding
/// the database) every database error of a request is answered so.
/// </summary>
public sealed class DatabaseUnavailableHandler(MaintenanceMode maintenance, ILogger<DatabaseUnavailableHandler> log) : IExceptionHandler
{
    /// <summary>Retry-After outside maintenance mode: an outage of unknown length, so ask again soon.</summary>
    public const int OutageRetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext http, Exception exception, CancellationToken ct)
    {
        if (FindNpgsql(exception) is not { } error) return false;
        var inMaintenance = maintenance.IsEnabled;
        if (!inMaintenance && !IsUnavailable(error)) return false;

        log.LogWarning("Answered 503 to {Method} {Path}: the database is unavailable ({Error})", http.Request.Method, http.Request.Path, error.Message);
        http.Response.StatusCode = StatusCodes.Status503ServiceUnavailable;
        if (inMaintenance)
        {
            await WriteGuardFilter.Refuse(http, maintenance, "its database cannot be read now").ExecuteAsync(http);
            return true;
        }

        http.Response.Headers.RetryAfter = OutageRetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        await Problems.Status(503, "Database unavailable",
            $"the database is not reachable now ({error.Message}); retry after {OutageRetryAfterSeconds} seconds").ExecuteAsync(http);
        return true;
    }

    /// <summary>
    /// The database is down, restarting, ended the session, refuses connections (ALLOW_CONNECTIONS false during a
    /// swap) or is not there (renamed away), or has no connection left: nothing the request did wrong.
    /// </summary>
    public static bool IsUnavailable(NpgsqlException e) =>
        DbRetry.IsStaleConnection(e)
        || e.InnerException is TimeoutException
        || e is PostgresException { SqlState: "3D000" or "55000" or "53300" or "57P04" or "57P05" };

    private static NpgsqlException? FindNpgsql(Exception? e)
    {
        for (; e is not null; e = e.InnerException)
            if (e is NpgsqlException n) return n;
        return null;
    }
}
