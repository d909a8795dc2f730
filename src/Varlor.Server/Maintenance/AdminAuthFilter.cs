using Varlor.Server.Configuration;
using Varlor.Server.Hosting;
using Varlor.Server.Tenants;

namespace Varlor.Server.Maintenance;

/// <summary>Admin endpoints take VARLOR_ADMIN_KEY in X-Api-Key; with no admin key configured they are off.</summary>
public sealed class AdminAuthFilter(ServerSettings settings) : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        if (settings.AdminKey is not { } expected)
            return Problems.Forbidden("admin endpoints are disabled: set VARLOR_ADMIN_KEY to enable them");
        var presented = context.HttpContext.Request.Headers[TenantAuthFilter.Header].ToString().Trim();
        if (presented.Length == 0)
            return Problems.Unauthorized($"missing admin key: send it in the {TenantAuthFilter.Header} header");
        if (!ApiKeys.FixedTimeEquals(presented, expected))
            return Problems.Unauthorized($"the key in {TenantAuthFilter.Header} is not the admin key");
        return await next(context);
    }
}
