using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Varlor.Server.Configuration;
using Varlor.Server.Hosting;

namespace Varlor.Server.Tests;

public sealed class HealthAndMaintenanceTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Health_is_200_when_database_and_storage_work()
    {
        var response = await server.Client().GetAsync("/health");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal("healthy", body.RootElement.GetProperty("status").GetString());
        Assert.True(body.RootElement.GetProperty("database").GetProperty("ok").GetBoolean());
        Assert.True(body.RootElement.GetProperty("storage").GetProperty("ok").GetBoolean());
    }

    /// <summary>The service started against a database port where nothing listens.</summary>
    private async Task<Microsoft.AspNetCore.Builder.WebApplication> StartWithUnreachableDatabaseAsync(string name)
    {
        var root = Path.Combine(server.Root, name);
        var settings = server.Settings with
        {
            ConnectionString = "Host=127.0.0.1;Port=1;Database=nothing;Username=nobody;Timeout=2",
            StorageRoot = Path.Combine(root, "storage"),
            LogDirectory = Path.Combine(root, "logs"),
            MigrateOnStart = false,
        };
        var app = await VarlorApp.CreateAsync(settings, "http://127.0.0.1:0", CancellationToken.None);
        await app.StartAsync();
        return app;
    }

    [Fact]
    public async Task Health_is_503_naming_the_database_when_it_is_unreachable()
    {
        await using var app = await StartWithUnreachableDatabaseAsync("dead-db");
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };

        var response = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["database"], body.RootElement.GetProperty("failing").EnumerateArray().Select(e => e.GetString()));
        Assert.False(string.IsNullOrEmpty(body.RootElement.GetProperty("database").GetProperty("error").GetString()));
        Assert.True(body.RootElement.GetProperty("storage").GetProperty("ok").GetBoolean());
        await app.StopAsync();
    }

    [Fact]
    public async Task Requests_answer_503_with_retry_after_not_500_when_the_database_is_unreachable()
    {
        await using var app = await StartWithUnreachableDatabaseAsync("dead-db-api");
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        client.DefaultRequestHeaders.Add("X-Api-Key", "vk_any");

        var response = await client.GetAsync("/api/v1/datasets");
        var detail = await HttpAssert.ProblemAsync(response, 503);
        Assert.Contains("database is not reachable", detail, StringComparison.Ordinal);
        Assert.Equal(TimeSpan.FromSeconds(Hosting.DatabaseUnavailableHandler.OutageRetryAfterSeconds), response.Headers.RetryAfter?.Delta);
        await app.StopAsync();
    }

    [Fact]
    public async Task In_maintenance_mode_a_file_not_restored_yet_answers_503_not_500()
    {
        var (tenant, _, client) = await server.AddTenantAsync();
        var ds = await HttpAssert.JsonAsync<Dataset>(
            await client.PostAsync("/api/v1/datasets", Multipart.File("later.csv", "a\n1\n")), HttpStatusCode.Created);
        File.Delete(Path.Combine(server.StorageRoot, "datasets", tenant.Id.ToString(), ds.Id.ToString(), "v1.csv")); // datasets/ being restored
        await File.WriteAllTextAsync(server.Settings.EffectiveMaintenanceFile, "");
        try
        {
            var during = await client.GetAsync($"/api/v1/datasets/{ds.Id}/file");
            Assert.Contains("maintenance mode", await HttpAssert.ProblemAsync(during, 503), StringComparison.Ordinal);
            Assert.Equal(TimeSpan.FromSeconds(30), during.Headers.RetryAfter?.Delta);
        }
        finally
        {
            File.Delete(server.Settings.EffectiveMaintenanceFile);
        }

        // Outside maintenance a missing file is a real loss, and says so.
        Assert.Contains("restore it from backup", await HttpAssert.ProblemAsync(await client.GetAsync($"/api/v1/datasets/{ds.Id}/file"), 500), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Health_is_503_naming_the_storage_when_its_folder_is_gone()
    {
        var root = Path.Combine(server.Root, "lost-storage");
        var settings = server.Settings with { StorageRoot = Path.Combine(root, "storage"), LogDirectory = Path.Combine(root, "logs") };
        await using var app = await VarlorApp.CreateAsync(settings, "http://127.0.0.1:0", CancellationToken.None);
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode);

        Directory.Delete(settings.StorageRoot, recursive: true); // e.g. an unmounted volume
        var response = await client.GetAsync("/health");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        using var body = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["storage"], body.RootElement.GetProperty("failing").EnumerateArray().Select(e => e.GetString()));
        Assert.Contains("does not exist", body.RootElement.GetProperty("storage").GetProperty("error").GetString(), StringComparison.Ordinal);
        await app.StopAsync();
    }

    [Fact]
    public async Task Maintenance_mode_refuses_writes_with_503_and_retry_after_but_serves_reads()
    {
        var (tenant, _, client) = await server.AddTenantAsync();
        var existing = await HttpAssert.JsonAsync<Dataset>(
            await client.PostAsync("/api/v1/datasets", Multipart.File("before.csv", "a\n1\n")), HttpStatusCode.Created);
        var admin = server.AdminClient();
        try
        {
            var on = await admin.PostAsJsonAsync("/admin/maintenance", new { reason = "restore from backup" });
            Assert.Equal(HttpStatusCode.OK, on.StatusCode);
            Assert.True(File.Exists(server.Settings.EffectiveMaintenanceFile));

            var refused = await client.PostAsync("/api/v1/datasets", Multipart.File("during.csv", "a\n1\n"));
            var detail = await HttpAssert.ProblemAsync(refused, 503);
            Assert.Contains("restore from backup", detail, StringComparison.Ordinal);
            Assert.Equal(TimeSpan.FromSeconds(30), refused.Headers.RetryAfter?.Delta);
            await HttpAssert.ProblemAsync(await client.DeleteAsync($"/api/v1/datasets/{existing.Id}"), 503);
            await HttpAssert.ProblemAsync(await client.PutAsync($"/api/v1/datasets/{existing.Id}/file", Multipart.File("x.csv", "a\n2\n")), 503);

            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/datasets/{existing.Id}")).StatusCode);
            Assert.Equal("a\n1\n", await client.GetStringAsync($"/api/v1/datasets/{existing.Id}/file"));
            using var health = JsonDocument.Parse(await server.Client().GetStringAsync("/health"));
            Assert.True(health.RootElement.GetProperty("maintenance").GetBoolean());
            Assert.Equal(1, await server.DatasetRowsAsync(tenant.Id));
        }
        finally
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync("/admin/maintenance")).StatusCode);
        }

        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/v1/datasets", Multipart.File("after.csv", "a\n1\n"))).StatusCode);
    }

    [Fact]
    public async Task A_flag_file_made_by_an_operator_turns_maintenance_on()
    {
        var (_, _, client) = await server.AddTenantAsync();
        await File.WriteAllTextAsync(server.Settings.EffectiveMaintenanceFile, "");
        try
        {
            await HttpAssert.ProblemAsync(await client.PostAsync("/api/v1/datasets", Multipart.File("x.csv", "a\n1\n")), 503);
            using var status = JsonDocument.Parse(await server.AdminClient().GetStringAsync("/admin/maintenance"));
            Assert.True(status.RootElement.GetProperty("enabled").GetBoolean());
        }
        finally
        {
            File.Delete(server.Settings.EffectiveMaintenanceFile);
        }

        Assert.Equal(HttpStatusCode.Created, (await client.PostAsync("/api/v1/datasets", Multipart.File("x.csv", "a\n1\n"))).StatusCode);
    }

    [Fact]
    public async Task Admin_endpoints_need_the_admin_key()
    {
        var (_, tenantKey, _) = await server.AddTenantAsync();
        await HttpAssert.ProblemAsync(await server.Client().PostAsync("/admin/maintenance", null), 401);
        await HttpAssert.ProblemAsync(await server.Client("wrong").PostAsync("/admin/maintenance", null), 401);
        await HttpAssert.ProblemAsync(await server.Client(tenantKey).PostAsync("/admin/maintenance", null), 401);
        Assert.False(File.Exists(server.Settings.EffectiveMaintenanceFile));
    }

    [Fact]
    public async Task Admin_endpoints_are_off_without_an_admin_key()
    {
        var root = Path.Combine(server.Root, "no-admin");
        ServerSettings settings = server.Settings with
        {
            AdminKey = null, StorageRoot = Path.Combine(root, "storage"), LogDirectory = Path.Combine(root, "logs"),
        };
        await using var app = await VarlorApp.CreateAsync(settings, "http://127.0.0.1:0", CancellationToken.None);
        await app.StartAsync();
        using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
        client.DefaultRequestHeaders.Add("X-Api-Key", ServerFixture.AdminKey);
        var detail = await HttpAssert.ProblemAsync(await client.PostAsync("/admin/maintenance", null), 403);
        Assert.Contains("VARLOR_ADMIN_KEY", detail, StringComparison.Ordinal);
        await app.StopAsync();
    }
}
