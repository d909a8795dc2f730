using System.Net;
using System.Net.Http.Json;
using Npgsql;
using Varlor.Testing;

namespace Varlor.Server.Tests;

/// <summary>
/// The restore runbook: maintenance mode on, then the backup tool swaps the restored database in by renaming
/// (src/Varlor.Backup.Postgres/DatabaseSwap.cs: ALLOW_CONNECTIONS false, pg_terminate_backend, rename the live one
/// away, rename the restored one in). Reads during it answer 200 or 503 with Retry-After, never 500; after it they
/// serve the restored database.
/// </summary>
public sealed class DatabaseSwapTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Reads_during_a_database_swap_in_maintenance_mode_never_answer_500()
    {
        var (_, _, client) = await server.AddTenantAsync();
        var ds = await HttpAssert.JsonAsync<Dataset>(
            await client.PostAsync("/api/v1/datasets", Multipart.File("sales.csv", "id,amount\n1,9.99\n")), HttpStatusCode.Created);
        var cluster = server.Database.Cluster;
        var live = server.Database.Name;

        // The "restored" copy: the same data, one visible difference.
        var restored = await cluster.CreateDatabaseAsync("restored");
        var copy = await ProcessRunner.RunAsync("/bin/sh",
            ["-c", "\"$0\" -d \"$2\" | \"$1\" -X -q -v ON_ERROR_STOP=1 -d \"$3\"", cluster.Tool("pg_dump"), cluster.Tool("psql"), live, restored.Name],
            cluster.LibpqEnvironment());
        Assert.True(copy.ExitCode == 0, copy.Output);
        await restored.ScalarAsync("UPDATE datasets SET name = 'from the backup' WHERE id = $1", ds.Id);
        using (var pooled = new NpgsqlConnection(restored.ConnectionString)) NpgsqlConnection.ClearPool(pooled); // no session may stay on it

        var admin = server.AdminClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsJsonAsync("/admin/maintenance", new { reason = "database restore" })).StatusCode);
        var old = $"{live}_old"[..Math.Min(63, live.Length + 4)];
        try
        {
            using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30)); // a bound; the swap ends it sooner
            var reads = ReadLoop.RunAsync(client, [$"/api/v1/datasets/{ds.Id}", "/api/v1/datasets", $"/api/v1/datasets/{ds.Id}/file"], stop.Token);
            await Task.Delay(500);
            await using (var conn = await Sessions.SuperuserAsync(cluster))
            {
                // DatabaseSwap's steps, held a little longer than the tool does so that the loop reads during each.
                await Exec(conn, $"ALTER DATABASE \"{live}\" ALLOW_CONNECTIONS false");
                await Exec(conn, $"SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = '{live}' AND pid <> pg_backend_pid()");
                await Sessions.WaitGoneAsync(conn, live);
                await Task.Delay(400);
                await Exec(conn, $"ALTER DATABASE \"{live}\" RENAME TO \"{old}\"");
                await Task.Delay(400);
                await Exec(conn, $"ALTER DATABASE \"{restored.Name}\" RENAME TO \"{live}\"");
                await Exec(conn, $"ALTER DATABASE \"{old}\" ALLOW_CONNECTIONS true");
            }

            await Task.Delay(500);
            await stop.CancelAsync();
            var responses = await reads;
            ReadLoop.AssertNo500(responses);
            Assert.Contains(responses, r => r.Status == 503); // the loop did read while the database was away
            Assert.All(responses.Where(r => r.Status == 503), r => Assert.Equal(TimeSpan.FromSeconds(30), r.RetryAfter));
        }
        finally
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.DeleteAsync("/admin/maintenance")).StatusCode);
            await cluster.DropDatabaseAsync(old);
        }

        var after = await HttpAssert.JsonAsync<Dataset>(await client.GetAsync($"/api/v1/datasets/{ds.Id}"), HttpStatusCode.OK);
        Assert.Equal("from the backup", after.Name);
        Assert.Equal("id,amount\n1,9.99\n", await client.GetStringAsync($"/api/v1/datasets/{ds.Id}/file"));
    }

    private static async Task Exec(NpgsqlConnection conn, string sql)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }
}
