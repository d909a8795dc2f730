using System.Net.Http.Json;
using Microsoft.AspNetCore.Builder;
using Npgsql;
using Varlor.Server.Configuration;
using Varlor.Server.Hosting;
using Varlor.Server.Tenants;
using Varlor.Testing;

namespace Varlor.Server.Tests;

/// <summary>
/// The real varlor-server (Kestrel on 127.0.0.1, a free port) on a fresh database of the shared PostgreSQL
/// cluster, with its own storage and log folders. One per test class.
/// </summary>
public sealed class ServerFixture : IAsyncLifetime
{
    public const string AdminKey = "test-admin-key-0123456789";
    public const long MaxUploadBytes = 256 * 1024;

    private WebApplication? _app;

    public PostgresDatabase Database { get; } = new();
    public string Root { get; } = Path.Combine(Path.GetTempPath(), $"varlor-server-test-{Guid.NewGuid():N}");
    public string StorageRoot => Path.Combine(Root, "storage");
    public string LogDirectory => Path.Combine(Root, "logs");
    public Uri BaseAddress { get; private set; } = null!;
    public ServerSettings Settings { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        await Database.InitializeAsync();
        Settings = new ServerSettings
        {
            ConnectionString = Database.ConnectionString,
            StorageRoot = StorageRoot,
            LogDirectory = LogDirectory,
            AdminKey = AdminKey,
            MaxUploadBytes = MaxUploadBytes,
            RetryAfterSeconds = 30,
            ConsoleLog = false,
            PurgeInterval = TimeSpan.Zero,
        };
        await StartAsync();
    }

    public async Task StartAsync()
    {
        _app = await VarlorApp.CreateAsync(Settings, "http://127.0.0.1:0", CancellationToken.None);
        await _app.StartAsync();
        BaseAddress = new Uri(_app.Urls.Single());
    }

    public async Task StopAsync()
    {
        if (_app is null) return;
        await _app.StopAsync();
        await _app.DisposeAsync();
        _app = null;
    }

    public HttpClient Client(string? apiKey = null)
    {
        var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(60) };
        if (apiKey is not null) client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
        return client;
    }

    /// <summary>Creates a tenant the way `varlor-server tenant add` does; returns a client using its key.</summary>
    public async Task<(Tenant Tenant, string Key, HttpClient Client)> AddTenantAsync(string prefix = "tenant")
    {
        await using var db = NpgsqlDataSource.Create(Database.ConnectionString);
        var created = await new TenantStore(db).AddAsync($"{prefix}-{Guid.NewGuid():N}"[..30], CancellationToken.None);
        return (created.Tenant, created.ApiKey, Client(created.ApiKey));
    }

    public HttpClient AdminClient() => Client(AdminKey);

    /// <summary>Every file under storage/datasets and storage/tmp, relative to the storage root.</summary>
    public IReadOnlyList<string> StoredFiles(string sub = "datasets")
    {
        var dir = Path.Combine(StorageRoot, sub);
        return Directory.Exists(dir)
            ? Directory.GetFiles(dir, "*", SearchOption.AllDirectories).Select(f => Path.GetRelativePath(StorageRoot, f)).Order().ToList()
            : [];
    }

    public async Task<long> DatasetRowsAsync(Guid tenantId) =>
        (long)(await Database.ScalarAsync("SELECT count(*) FROM datasets WHERE tenant_id = $1", tenantId))!;

    public async Task DisposeAsync()
    {
        await StopAsync();
        await Database.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { }
    }
}

public static class HttpAssert
{
    public static async Task<T> JsonAsync<T>(HttpResponseMessage response, System.Net.HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == expected, $"expected {(int)expected} but got {(int)response.StatusCode}: {body}");
        return System.Text.Json.JsonSerializer.Deserialize<T>(body, Json.Options)!;
    }

    /// <summary>Asserts an RFC 7807 problem with the status, and returns its detail.</summary>
    public static async Task<string> ProblemAsync(HttpResponseMessage response, int status)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True((int)response.StatusCode == status, $"expected {status} but got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = System.Text.Json.JsonSerializer.Deserialize<ProblemBody>(body, Json.Options)!;
        Assert.Equal(status, problem.Status);
        Assert.False(string.IsNullOrWhiteSpace(problem.Detail), $"problem without a detail: {body}");
        return problem.Detail!;
    }

    public sealed record ProblemBody(string? Type, string? Title, int Status, string? Detail);
}

public static class Json
{
    public static readonly System.Text.Json.JsonSerializerOptions Options = new(System.Text.Json.JsonSerializerDefaults.Web);

    public static Task<T?> Read<T>(this HttpContent content) => content.ReadFromJsonAsync<T>(Options);
}
