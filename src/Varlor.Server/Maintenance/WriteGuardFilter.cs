using System.Globalization;
using Varlor.Server.Hosting;

namespace Varlor.Server.Maintenance;

/// <summary>Refuses writes with 503 and Retry-After while maintenance mode is on; reads go on.</summary>
public sealed class WriteGuardFilter(MaintenanceMode maintenance) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next) =>
        maintenance.IsEnabled ? Refuse(context.HttpContext, maintenance, "accepts no changes; reads still work") : await next(context);

    /// <summary>503 with Retry-After and the maintenance reason; <paramref name="what"/> says what is refused.</summary>
    public static IResult Refuse(HttpContext http, MaintenanceMode maintenance, string what)
    {
        var status = maintenance.Status();
        http.Response.Headers.RetryAfter = status.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        var why = status.Reason is { Length: > 0 } r ? $" ({r})" : "";
        return Problems.Status(503, "Maintenance mode",
            $"the service is in maintenance mode{why} and {what}. Retry after {status.RetryAfterSeconds} seconds");
    }
}
