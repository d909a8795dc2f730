using System.Net;
using System.Text.RegularExpressions;
using Varlor.Server.Cli;

namespace Varlor.Server.Tests;

/// <summary>The varlor-server commands, run in-process with the VARLOR_* settings a operator would export.</summary>
public sealed partial class CommandLineTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [GeneratedRegex(@"API key \(shown only now, store it safely\): (vk_[A-Za-z0-9_-]{43})")]
    private static partial Regex KeyLine();

    private Dictionary<string, string?> Env => new()
    {
        ["VARLOR_DB"] = server.Database.ConnectionString,
        ["VARLOR_STORAGE"] = server.StorageRoot,
        ["VARLOR_LOGS"] = server.LogDirectory,
    };

    private async Task<(int Code, string Out, string Err)> Run(params string[] args)
    {
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        var code = await CommandLine.RunAsync(args, stdout, stderr, Env, CancellationToken.None);
        return (code, stdout.ToString(), stderr.ToString());
    }

    [Fact]
    public async Task Tenant_add_prints_a_working_key_once_and_tenant_list_shows_the_tenant()
    {
        var (code, output, _) = await Run("tenant", "add", "acme-corp");
        Assert.Equal(0, code);
        var key = KeyLine().Match(output).Groups[1].Value;
        Assert.NotEmpty(key);

        var response = await server.Client(key).GetAsync("/api/v1/datasets");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);

        (code, output, _) = await Run("tenant", "list");
        Assert.Equal(0, code);
        var line = output.Split('\n').Single(l => l.StartsWith("acme-corp ", StringComparison.Ordinal));
        Assert.Contains(key[..9], line, StringComparison.Ordinal);
        Assert.DoesNotContain(key, output, StringComparison.Ordinal);

        var again = await Run("tenant", "add", "acme-corp");
        Assert.Equal(1, again.Code);
        Assert.Contains("already exists", again.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Bad_tenant_names_and_unknown_commands_fail_with_a_message()
    {
        var bad = await Run("tenant", "add", "../evil");
        Assert.Equal(2, bad.Code);
        Assert.Contains("not valid", bad.Err, StringComparison.Ordinal);
        var unknown = await Run("frobnicate");
        Assert.Equal(2, unknown.Code);
        Assert.Contains("unknown command", unknown.Err, StringComparison.Ordinal);
        Assert.Contains("usage", unknown.Err, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Migrate_is_idempotent_and_records_versions()
    {
        var (code, output, _) = await Run("migrate");
        Assert.Equal(0, code);
        Assert.Contains("schema is up to date (version 1)", output, StringComparison.Ordinal);
        Assert.Equal(1L, await server.Database.ScalarAsync("SELECT count(*) FROM schema_migrations WHERE version = 1"));
    }

    [Fact]
    public async Task Migrate_creates_the_schema_in_an_empty_database()
    {
        await using var empty = await (await Varlor.Testing.PostgresCluster.GetSharedAsync()).CreateDatabaseAsync("empty");
        var stdout = new StringWriter();
        var env = Env;
        env["VARLOR_DB"] = empty.ConnectionString;
        Assert.Equal(0, await CommandLine.RunAsync(["migrate"], stdout, new StringWriter(), env, CancellationToken.None));
        Assert.Contains("applied 0001 0001_initial", stdout.ToString(), StringComparison.Ordinal);
        Assert.Equal("dataset_columns,datasets,schema_migrations,tenants", await empty.ScalarAsync(
            "SELECT string_agg(table_name, ',' ORDER BY table_name) FROM information_schema.tables WHERE table_schema = 'public'"));
    }

    [Fact]
    public async Task Tenant_add_as_the_first_command_on_a_fresh_database_creates_the_schema()
    {
        await using var empty = await (await Varlor.Testing.PostgresCluster.GetSharedAsync()).CreateDatabaseAsync("fresh");
        var env = Env;
        env["VARLOR_DB"] = empty.ConnectionString;
        var stdout = new StringWriter();
        var stderr = new StringWriter();
        Assert.Equal(0, await CommandLine.RunAsync(["tenant", "add", "acme"], stdout, stderr, env, CancellationToken.None));
        Assert.Equal("", stderr.ToString());
        Assert.Matches(KeyLine(), stdout.ToString());
        Assert.Equal(1L, await empty.ScalarAsync("SELECT count(*) FROM tenants WHERE name = 'acme'"));
        Assert.Equal(1L, await empty.ScalarAsync("SELECT count(*) FROM schema_migrations"));
    }

    [Fact]
    public async Task Commands_started_together_on_a_fresh_database_migrate_it_once()
    {
        await using var empty = await (await Varlor.Testing.PostgresCluster.GetSharedAsync()).CreateDatabaseAsync("race");
        var env = Env;
        env["VARLOR_DB"] = empty.ConnectionString;
        var runs = Enumerable.Range(0, 6).Select(i =>
        {
            var stderr = new StringWriter();
            string[] args = i % 3 == 0 ? ["tenant", "list"] : ["tenant", "add", $"racer-{i}"];
            return Task.Run(async () => (Code: await CommandLine.RunAsync(args, new StringWriter(), stderr, env, CancellationToken.None), Err: stderr));
        }).ToList();
        foreach (var (code, err) in await Task.WhenAll(runs))
            Assert.True(code == 0, err.ToString());
        Assert.Equal(4L, await empty.ScalarAsync("SELECT count(*) FROM tenants"));
        Assert.Equal(Varlor.Server.Database.Migrator.Embedded.Count, (int)(long)(await empty.ScalarAsync("SELECT count(*) FROM schema_migrations"))!);
    }

    [Fact]
    public async Task Without_MigrateOnStart_commands_leave_the_schema_alone()
    {
        await using var empty = await (await Varlor.Testing.PostgresCluster.GetSharedAsync()).CreateDatabaseAsync("nomigrate");
        var env = Env;
        env["VARLOR_DB"] = empty.ConnectionString;
        env["VARLOR_MIGRATE_ON_START"] = "false";
        var stderr = new StringWriter();
        Assert.Equal(1, await CommandLine.RunAsync(["tenant", "list"], new StringWriter(), stderr, env, CancellationToken.None));
        Assert.Contains("tenants", stderr.ToString(), StringComparison.Ordinal);
        Assert.Equal(0L, await empty.ScalarAsync("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"));
    }

    [Fact]
    public async Task Unreachable_database_is_a_one_line_error()
    {
        var env = Env;
        env["VARLOR_DB"] = "Host=127.0.0.1;Port=1;Database=x;Username=x;Timeout=2";
        var stderr = new StringWriter();
        Assert.Equal(1, await CommandLine.RunAsync(["tenant", "list"], new StringWriter(), stderr, env, CancellationToken.None));
        Assert.StartsWith("varlor-server: ", stderr.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Purge_command_removes_old_soft_deleted_datasets()
    {
        var (tenant, _, client) = await server.AddTenantAsync();
        var ds = await HttpAssert.JsonAsync<Dataset>(
            await client.PostAsync("/api/v1/datasets", Multipart.File("old.csv", "a\n1\n")), HttpStatusCode.Created);
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/datasets/{ds.Id}")).StatusCode);
        await server.Database.ScalarAsync("UPDATE datasets SET deleted_at = now() - interval '8 days' WHERE id = $1", ds.Id);

        var (code, output, _) = await Run("purge");
        Assert.Equal(0, code);
        Assert.Contains("purged 1 dataset(s)", output, StringComparison.Ordinal);
        Assert.Equal(0L, await server.Database.ScalarAsync("SELECT count(*) FROM datasets WHERE id = $1", ds.Id));
        Assert.DoesNotContain(server.StoredFiles(), f => f.Contains(tenant.Id.ToString(), StringComparison.Ordinal));
    }
}
