using Varlor.Server.Hosting;

namespace Varlor.Server.Maintenance;

public static class AdminEndpoints
{
    public sealed record MaintenanceRequest(string? Reason);

    public static void MapAdmin(this IEndpointRouteBuilder app)
    {
        var admin = app.MapGroup("/admin").AddEndpointFilter<AdminAuthFilter>().WithTags("Admin")
            .ProducesProblem(401).ProducesProblem(403);

        admin.MapGet("/maintenance", (MaintenanceMode m) => Results.Ok(m.Status()))
            .WithSummary("Whether maintenance mode is on");
        admin.MapPost("/maintenance", async (HttpRequest request, MaintenanceMode m, ILoggerFactory logs, CancellationToken ct) =>
        {
            string? reason = null;
            if (request.HasJsonContentType() && request.ContentLength is null or > 0)
            {
                try
                {
                    reason = (await request.ReadFromJsonAsync<MaintenanceRequest>(ct))?.Reason;
                }
                catch (System.Text.Json.JsonException e)
                {
                    return Problems.BadRequest($"the body must be JSON like {{\"reason\": \"restore\"}}: {e.Message}");
                }
            }

            m.Enable(reason);
            logs.CreateLogger("Varlor.Maintenance").LogWarning("Maintenance mode on ({Reason}); writes are refused", reason ?? "no reason given");
            return Results.Ok(m.Status());
        }).WithSummary("Turn maintenance mode on: writes get 503 with Retry-After");
        admin.MapDelete("/maintenance", (MaintenanceMode m, ILoggerFactory logs) =>
        {
            m.Disable();
            logs.CreateLogger("Varlor.Maintenance").LogWarning("Maintenance mode off");
            return Results.Ok(m.Status());
        }).WithSummary("Turn maintenance mode off");
        admin.MapPost("/purge", async (PurgeService purge, CancellationToken ct, int? olderThanDays) =>
        {
            if (olderThanDays is < 0) return Problems.BadRequest("olderThanDays must not be negative");
            return Results.Ok(await purge.PurgeAsync(TimeSpan.FromDays(olderThanDays ?? 7), ct));
        }).AddEndpointFilter<WriteGuardFilter>().WithSummary("Remove for good the datasets deleted at least olderThanDays ago (default 7)");
    }
}
