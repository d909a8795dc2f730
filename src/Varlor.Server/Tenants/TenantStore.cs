using System.Text.RegularExpressions;
using Npgsql;
using Varlor.Server.Database;

namespace Varlor.Server.Tenants;

public sealed partial class TenantStore(NpgsqlDataSource dataSource)
{
    [GeneratedRegex("^[a-z0-9][a-z0-9_-]{0,62}$")]
    private static partial Regex NamePattern();

    public static string? ValidateName(string name) => NamePattern().IsMatch(name)
        ? null
        : $"tenant name '{name}' is not valid: use 1 to 63 lower-case letters, digits, '-' or '_', starting with a letter or digit";

    public async Task<NewTenant> AddAsync(string name, CancellationToken ct)
    {
        if (ValidateName(name) is { } problem) throw new ArgumentException(problem, nameof(name));
        var key = ApiKeys.Generate();
        var id = Guid.CreateVersion7();
        await using var cmd = dataSource.CreateCommand("""
            INSERT INTO tenants (id, name, api_key_hash, api_key_prefix) VALUES ($1, $2, $3, $4)
            ON CONFLICT (name) DO NOTHING
            RETURNING created_at
            """);
        cmd.Parameters.Add(new() { Value = id });
        cmd.Parameters.Add(new() { Value = name });
        cmd.Parameters.Add(new() { Value = ApiKeys.Hash(key) });
        cmd.Parameters.Add(new() { Value = ApiKeys.DisplayPrefix(key) });
        var created = await cmd.ExecuteScalarAsync(ct);
        if (created is not DateTime at)
            throw new InvalidOperationException($"a tenant named '{name}' already exists");
        return new NewTenant(new Tenant(id, name, ApiKeys.DisplayPrefix(key), new DateTimeOffset(at, TimeSpan.Zero)), key);
    }

    public Task<IReadOnlyList<(Tenant Tenant, long Datasets)>> ListAsync(CancellationToken ct) =>
        DbRetry.RunAsync(dataSource, ListOnceAsync, ct);

    /// <summary>The tenant of an API key; asked on every request, so retried once on a fresh connection (<see cref="DbRetry"/>).</summary>
    public Task<Tenant?> FindByKeyAsync(string key, CancellationToken ct) =>
        DbRetry.RunAsync(dataSource, c => FindByKeyOnceAsync(key, c), ct);

    private async Task<IReadOnlyList<(Tenant Tenant, long Datasets)>> ListOnceAsync(CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand("""
            SELECT t.id, t.name, t.api_key_prefix, t.created_at,
                   (SELECT count(*) FROM datasets d WHERE d.tenant_id = t.id AND d.status = 'ready')
            FROM tenants t ORDER BY t.name
            """);
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        var list = new List<(Tenant, long)>();
        while (await reader.ReadAsync(ct))
            list.Add((Read(reader), reader.GetInt64(4)));
        return list;
    }

    private async Task<Tenant?> FindByKeyOnceAsync(string key, CancellationToken ct)
    {
        await using var cmd = dataSource.CreateCommand(
            "SELECT id, name, api_key_prefix, created_at FROM tenants WHERE api_key_hash = $1");
        cmd.Parameters.Add(new() { Value = ApiKeys.Hash(key) });
        await using var reader = await cmd.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    private static Tenant Read(NpgsqlDataReader r) =>
        new(r.GetGuid(0), r.GetString(1), r.GetString(2), new DateTimeOffset(r.GetDateTime(3), TimeSpan.Zero));
}
