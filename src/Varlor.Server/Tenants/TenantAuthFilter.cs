using Varlor.Server.Hosting;

namespace Varlor.Server.Tenants;

/// <summary>Resolves the tenant from X-Api-Key; every /api/v1 request is scoped to it.</summary>
public sealed class TenantAuthFilter(TenantStore tenants) : IEndpointFilter
{
    public const string Header = "X-Api-Key";

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var key = http.Request.Headers[Header].ToString();
        if (string.IsNullOrWhiteSpace(key))
            return Problems.Unauthorized($"missing API key: send it in the {Header} header");
        var tenant = await tenants.FindByKeyAsync(key.Trim(), http.RequestAborted);
        if (tenant is null)
            return Problems.Unauthorized($"the API key in {Header} is not valid");
        http.Items[typeof(Tenant)] = tenant;
        return await next(context);
    }
}

public static class TenantHttpContextExtensions
{
    public static Tenant Tenant(this HttpContext http) =>
        http.Items[typeof(Tenant)] as Tenant ?? throw new InvalidOperationException("no tenant on this request");
}
