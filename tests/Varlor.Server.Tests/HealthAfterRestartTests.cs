using System.Net;
using Varlor.Server.Hosting;
using Varlor.Testing;

namespace Varlor.Server.Tests;

/// <summary>A PostgreSQL restart leaves the pool with ended connections; /health must not report the database down for that.</summary>
public sealed class HealthAfterRestartTests
{
    [Fact]
    public async Task The_first_health_check_after_a_postgres_restart_is_200()
    {
        await using var cluster = await PostgresCluster.StartAsync(CancellationToken.None); // private: it is restarted
        await using var db = await cluster.CreateDatabaseAsync("restart");
        var root = Directory.CreateTempSubdirectory("varlor-restart-").FullName;
        try
        {
            var settings = new Configuration.ServerSettings
            {
                ConnectionString = db.ConnectionString,
                StorageRoot = Path.Combine(root, "storage"),
                LogDirectory = Path.Combine(root, "logs"),
                ConsoleLog = false,
                PurgeInterval = TimeSpan.Zero,
            };
            await using var app = await VarlorApp.CreateAsync(settings, "http://127.0.0.1:0", CancellationToken.None);
            await app.StartAsync();
            using var client = new HttpClient { BaseAddress = new Uri(app.Urls.Single()) };
            Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/health")).StatusCode); // leaves a pooled connection

            await cluster.RestartAsync();

            var response = await client.GetAsync("/health");
            Assert.True(response.StatusCode == HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
            await app.StopAsync();
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }
}
