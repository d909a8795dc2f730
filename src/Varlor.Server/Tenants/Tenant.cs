namespace Varlor.Server.Tenants;

public sealed record Tenant(Guid Id, string Name, string ApiKeyPrefix, DateTimeOffset CreatedAt);

/// <summary>A tenant just created, with the only copy of its API key.</summary>
public sealed record NewTenant(Tenant Tenant, string ApiKey);
