using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Npgsql;
using Varlor.Testing;

namespace Varlor.Server.Tests;

/// <summary>
/// PostgreSQL ends the server's sessions (pg_terminate_backend, as the backup tool's database swap does): the
/// pooled connections left behind are stale, and a request handed one must be served on a fresh one, not 500.
/// </summary>
public sealed class DatabaseOutageTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Requests_after_the_database_ended_every_pooled_connection_are_served()
    {
        var (_, _, client) = await server.AddTenantAsync();
        var first = await HttpAssert.JsonAsync<Dataset>(
            await client.PostAsync("/api/v1/datasets", Multipart.File("first.csv", "a\n1\n")), HttpStatusCode.Created);
        await Task.WhenAll(Enumerable.Range(0, 4).Select(_ => client.GetAsync("/api/v1/datasets"))); // several idle connections

        Assert.True(await Sessions.TerminateAsync(server.Database) > 0, "the server had no connection to end");
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/datasets/{first.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/api/v1/datasets")).StatusCode);

        Assert.True(await Sessions.TerminateAsync(server.Database) > 0);
        var second = await HttpAssert.JsonAsync<Dataset>(
            await client.PostAsync("/api/v1/datasets", Multipart.File("second.csv", "a\n2\n")), HttpStatusCode.Created);
        Assert.Equal("a\n2\n", await client.GetStringAsync($"/api/v1/datasets/{second.Id}/file"));

        Assert.True(await Sessions.TerminateAsync(server.Database) > 0);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/datasets/{first.Id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync($"/api/v1/datasets/{first.Id}")).StatusCode);
    }

    [Fact]
    public async Task A_read_loop_while_sessions_are_terminated_never_gets_500()
    {
        var (_, _, client) = await server.AddTenantAsync();
        var ds = await HttpAssert.JsonAsync<Dataset>(
            await client.PostAsync("/api/v1/datasets", Multipart.File("loop.csv", "a\n1\n")), HttpStatusCode.Created);

        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(4));
        var terminated = 0;
        var killer = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                terminated += await Sessions.TerminateAsync(server.Database, wait: false);
                await Task.Delay(40, CancellationToken.None);
            }
        });
        var responses = await ReadLoop.RunAsync(client, [$"/api/v1/datasets/{ds.Id}", "/api/v1/datasets"], stop.Token);
        await killer;

        ReadLoop.AssertNo500(responses);
        Assert.True(terminated > 10, $"only {terminated} sessions were ended");
        // Each stale connection is retried once on a fresh one: nearly everything is served.
        Assert.True(responses.Count(r => r.Status == 200) >= responses.Count * 9 / 10,
            $"{responses.Count(r => r.Status == 200)} of {responses.Count} reads served");
    }
}

/// <summary>A bounded loop of GETs (in count and time), recording each status and Retry-After.</summary>
internal static class ReadLoop
{
    public sealed record Response(string Path, int Status, TimeSpan? RetryAfter, string Body);

    public static async Task<IReadOnlyList<Response>> RunAsync(HttpClient client, string[] paths, CancellationToken stop,
        int readers = 2, int maxRequests = 20_000)
    {
        var results = new ConcurrentQueue<Response>();
        await Task.WhenAll(Enumerable.Range(0, readers).Select(reader => Task.Run(async () =>
        {
            for (var i = reader; !stop.IsCancellationRequested && results.Count < maxRequests; i++)
            {
                var path = paths[i % paths.Length];
                using var response = await client.GetAsync(path, CancellationToken.None);
                results.Enqueue(new Response(path, (int)response.StatusCode, response.Headers.RetryAfter?.Delta,
                    await response.Content.ReadAsStringAsync(CancellationToken.None)));
            }
        })));
        return results.ToList();
    }

    public static void AssertNo500(IReadOnlyList<Response> responses)
    {
        Assert.True(responses.Count >= 20, $"only {responses.Count} requests were made");
        foreach (var r in responses)
        {
            Assert.True(r.Status is 200 or 503, $"{r.Path} answered {r.Status}: {r.Body}");
            if (r.Status == 503) Assert.True(r.RetryAfter > TimeSpan.Zero, $"503 without Retry-After: {r.Body}");
        }
    }
}

/// <summary>Ends sessions the way the backup tool's database swap does (pg_terminate_backend), from a superuser session.</summary>
internal static class Sessions
{
    public static async Task<NpgsqlConnection> SuperuserAsync(PostgresCluster cluster)
    {
        var conn = new NpgsqlConnection(cluster.ConnectionString() + ";Pooling=false");
        await conn.OpenAsync();
        return conn;
    }

    /// <summary>Terminates every session of the database; returns how many. With <paramref name="wait"/>, until they are gone.</summary>
    public static async Task<int> TerminateAsync(PostgresDatabase database, bool wait = true)
    {
        await using var conn = await SuperuserAsync(database.Cluster);
        await using var kill = new NpgsqlCommand(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", conn);
        kill.Parameters.Add(new() { Value = database.Name });
        var count = (int)(long)(await kill.ExecuteScalarAsync())!;
        if (wait) await WaitGoneAsync(conn, database.Name);
        return count;
    }

    public static async Task WaitGoneAsync(NpgsqlConnection conn, string database)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            await using var cmd = new NpgsqlCommand("SELECT count(*) FROM pg_stat_activity WHERE datname = $1 AND pid <> pg_backend_pid()", conn);
            cmd.Parameters.Add(new() { Value = database });
            if ((long)(await cmd.ExecuteScalarAsync())! == 0) return;
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"sessions of {database} did not end");
            await Task.Delay(20);
        }
    }
}
