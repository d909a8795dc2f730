using System.Globalization;
using Varlor.Server.Hosting;

namespace Varlor.Server.Maintenance;

/// <summary>Refuses writes with 503 and Retry-After while maintenance mode is on; reads go on.</summary>
public sealed class WriteGuardFilter(MaintenanceMode maintenance) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (!maintenance.IsEnabled) return await next(context);
        var status = maintenance.Status();
        context.HttpContext.Response.Headers.RetryAfter = status.RetryAfterSeconds.ToString(CultureInfo.InvariantCulture);
        var why = status.Reason is { Length: > 0 } r ? $" ({r})" : "";
        return Problems.Status(503, "Maintenance mode",
            $"the service is in maintenance mode{why} and accepts no changes; reads still work. Retry after {status.RetryAfterSeconds} seconds");
    }
}
