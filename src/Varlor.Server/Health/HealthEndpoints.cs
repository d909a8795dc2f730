using Npgsql;
using Varlor.Server.Database;
using Varlor.Server.Maintenance;
using Varlor.Server.Storage;

namespace Varlor.Server.Health;

public sealed record CheckResult(bool Ok, string? Error);

public sealed record HealthReport(string Status, IReadOnlyList<string> Failing, CheckResult Database, CheckResult Storage, bool Maintenance);

public static class HealthEndpoints
{
    public static void MapHealth(this IEndpointRouteBuilder app) =>
        app.MapGet("/health", async (NpgsqlDataSource db, DatasetStorage storage, MaintenanceMode maintenance, CancellationToken ct) =>
            {
                var database = await CheckDatabaseAsync(db, ct);
                var files = CheckStorage(storage);
                var failing = new List<string>();
                if (!database.Ok) failing.Add("database");
                if (!files.Ok) failing.Add("storage");
                var report = new HealthReport(failing.Count == 0 ? "healthy" : "unhealthy", failing, database, files, maintenance.IsEnabled);
                return Results.Json(report, statusCode: failing.Count == 0 ? 200 : 503);
            })
            .WithTags("Health").WithSummary("200 when the database and the storage folder work, else 503 naming what fails")
            .Produces<HealthReport>(200).Produces<HealthReport>(503);

    private static async Task<CheckResult> CheckDatabaseAsync(NpgsqlDataSource db, CancellationToken ct)
    {
        try
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(TimeSpan.FromSeconds(5));
            // A pooled connection ended by a PostgreSQL restart must not report the database down: one retry on a fresh one.
            await DbRetry.RunAsync(db, async c =>
            {
                await using var cmd = db.CreateCommand("SELECT count(*) FROM datasets WHERE false");
                return await cmd.ExecuteScalarAsync(c);
            }, timeout.Token);
            return new CheckResult(true, null);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            return new CheckResult(false, $"database: {e.Message}");
        }
    }

    private static CheckResult CheckStorage(DatasetStorage storage)
    {
        try
        {
            if (!Directory.Exists(storage.DatasetsDirectory))
                return new CheckResult(false, $"storage: {storage.DatasetsDirectory} does not exist");
            var probe = Path.Combine(storage.TempDirectory, $"health-{Guid.NewGuid():N}");
            File.WriteAllText(probe, "ok");
            File.Delete(probe);
            return new CheckResult(true, null);
        }
        catch (Exception e)
        {
            return new CheckResult(false, $"storage: {e.Message}");
        }
    }
}
