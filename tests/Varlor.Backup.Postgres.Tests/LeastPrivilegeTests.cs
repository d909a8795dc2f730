using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Varlor.Testing;

namespace Varlor.Backup.Postgres.Tests;

/// <summary>
/// Every db command run as the roles of docs/postgres-roles.sql (created by psql from that very file, as the
/// operator's guide says), never as a superuser: backups as varlor_backup, restores as varlor_restore, the
/// service as varlor_prod, owner of its database.
/// </summary>
public sealed class LeastPrivilegeTests
{
    private static readonly Lazy<Task<PostgresCluster>> Cluster = new(StartAsync);

    private static async Task<PostgresCluster> StartAsync()
    {
        var cluster = await PostgresCluster.StartAsync(default);
        var sql = Path.Combine(DbHarness.RepoRoot(), "docs", "postgres-roles.sql");
        // The guide shows the same statements: they must not drift apart.
        var guide = await File.ReadAllTextAsync(Path.Combine(DbHarness.RepoRoot(), "docs", "operators-guide.md"));
        var block = guide[(guide.IndexOf("```sql\n", guide.IndexOf("**Roles.**", StringComparison.Ordinal), StringComparison.Ordinal) + 7)..];
        var file = (await File.ReadAllLinesAsync(sql)).Where(l => l.Length > 0 && !l.StartsWith("--", StringComparison.Ordinal)).ToList();
        var shown = block[..block.IndexOf("```", StringComparison.Ordinal)].Split('\n', StringSplitOptions.RemoveEmptyEntries)
            .Select(l => l.Split("--")[0].Trim()).Where(l => l.Length > 0).ToList();
        Assert.Equal(file, shown);
        // The service's role exists before backups are set up (README.md); the file grants it to the restore role.
        var r = await ProcessRunner.RunAsync(cluster.Tool("psql"), ["-v", "ON_ERROR_STOP=1", "-c", "CREATE ROLE varlor_prod LOGIN"], cluster.LibpqEnvironment());
        Assert.True(r.ExitCode == 0, r.StandardError);
        r = await ProcessRunner.RunAsync(cluster.Tool("psql"), ["-v", "ON_ERROR_STOP=1", "-f", sql], cluster.LibpqEnvironment());
        Assert.True(r.ExitCode == 0, r.StandardError);
        // A role the service grants things to (e.g. a reporting role), to check grants survive restores.
        r = await ProcessRunner.RunAsync(cluster.Tool("psql"), ["-v", "ON_ERROR_STOP=1", "-c", "CREATE ROLE varlor_reader"], cluster.LibpqEnvironment());
        Assert.True(r.ExitCode == 0, r.StandardError);
        return cluster;
    }

    /// <summary>A database owned by varlor_prod holding the service's schema, created by varlor_prod, with grants and settings.</summary>
    private static async Task<DbHarness> ServiceDatabaseAsync(string prefix)
    {
        var h = await DbHarness.CreateAsync(await Cluster.Value, prefix, "varlor_prod");
        await ServerAsync(h, "migrate");
        await h.ExecAsync("SET ROLE varlor_prod;\n" + (await DbHarness.VarlorSchemaAsync(20))[1]);
        await h.ExecAsync("""
            SET ROLE varlor_prod;
            CREATE SCHEMA reports;
            CREATE TABLE reports.daily (day date PRIMARY KEY, uploads int NOT NULL);
            INSERT INTO reports.daily VALUES ('2026-11-01', 3);
            GRANT USAGE ON SCHEMA reports TO varlor_reader;
            GRANT SELECT ON reports.daily, datasets TO varlor_reader;
            ALTER DEFAULT PRIVILEGES IN SCHEMA reports GRANT SELECT ON TABLES TO varlor_reader;
            """);
        await h.ExecAsync($"""
            REVOKE ALL ON DATABASE "{h.Database}" FROM PUBLIC;
            GRANT CONNECT ON DATABASE "{h.Database}" TO varlor_reader, varlor_backup, varlor_restore;
            ALTER DATABASE "{h.Database}" SET search_path = "$user", public, reports;
            ALTER DATABASE "{h.Database}" SET work_mem = '8MB';
            """);
        return h;
    }

    private static Dictionary<string, string> ServerEnvironment(DbHarness h) => new()
    {
        ["VARLOR_DB"] = $"Host={h.Cluster.Host};Port={h.Cluster.Port};Database={h.Database};Username=varlor_prod;Pooling=false",
        ["VARLOR_STORAGE"] = Path.Combine(h.Root, "storage"),
        ["VARLOR_LOGS"] = Path.Combine(h.Root, "logs"),
        ["VARLOR_CONSOLE_LOG"] = "false",
    };

    private static string ServerLauncher => Path.Combine(DbHarness.RepoRoot(), "varlor-server");

    /// <summary>Runs varlor-server (its launcher builds it once) as varlor_prod on the harness's database; returns its output.</summary>
    private static async Task<string> ServerAsync(DbHarness h, params string[] args)
    {
        var r = await ProcessRunner.RunAsync(ServerLauncher, args, ServerEnvironment(h), timeout: TimeSpan.FromMinutes(5));
        Assert.True(r.ExitCode == 0, $"varlor-server {string.Join(' ', args)}: exit {r.ExitCode}\n{r.StandardOutput}{r.StandardError}");
        return r.StandardOutput;
    }

    /// <summary>varlor-server as a long-running process (run), output discarded.</summary>
    private static ProcessStartInfo ServerStart(DbHarness h, params string[] args)
    {
        var info = new ProcessStartInfo(ServerLauncher) { RedirectStandardOutput = false, RedirectStandardError = false, UseShellExecute = false };
        foreach (var a in args) info.ArgumentList.Add(a);
        foreach (var (k, v) in ServerEnvironment(h)) info.Environment[k] = v;
        return info;
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }

    /// <summary>Owners, ACLs, settings and default privileges of a database, as one comparable text.</summary>
    private static async Task<string> FingerprintAsync(DbHarness h)
    {
        var parts = new List<string>
        {
            await h.ScalarAsync<string>($"""
                SELECT pg_get_userbyid(datdba) || ' ' || datconnlimit || ' ' || coalesce((SELECT string_agg(pg_get_userbyid(a.grantor) || '>' ||
                       CASE a.grantee WHEN 0 THEN 'PUBLIC' ELSE pg_get_userbyid(a.grantee) END || ':' || a.privilege_type, ',' ORDER BY a.grantee, a.privilege_type)
                       FROM aclexplode(datacl) a), 'default')
                FROM pg_database WHERE datname = '{h.Database}'
                """, "postgres"),
            await h.ScalarAsync<string>($"""
                SELECT coalesce(string_agg(c, ';' ORDER BY c), '') FROM pg_db_role_setting s, unnest(s.setconfig) c
                WHERE s.setdatabase = (SELECT oid FROM pg_database WHERE datname = '{h.Database}') AND s.setrole = 0
                """, "postgres"),
            await h.ScalarAsync<string>("""
                SELECT string_agg(nspname || ' ' || pg_get_userbyid(nspowner) || ' ' || coalesce(nspacl::text, 'default'), ';' ORDER BY nspname)
                FROM pg_namespace WHERE nspname NOT LIKE 'pg\_%' AND nspname <> 'information_schema'
                """),
            await h.ScalarAsync<string>("""
                SELECT string_agg(n.nspname || '.' || c.relname || ' ' || pg_get_userbyid(c.relowner) || ' ' || coalesce(c.relacl::text, 'default'), ';' ORDER BY n.nspname, c.relname)
                FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE c.relkind IN ('r', 'S') AND n.nspname IN ('public', 'reports')
                """),
            await h.ScalarAsync<string>("""
                SELECT coalesce(string_agg(pg_get_userbyid(defaclrole) || ' ' || defaclnamespace::regnamespace || ' ' || defaclacl::text, ';'), '') FROM pg_default_acl
                """),
        };
        return string.Join('\n', parts);
    }

    [Fact]
    public async Task Backups_as_the_backup_role_and_copies_and_drills_as_the_restore_role_work()
    {
        await using var h = await ServiceDatabaseAsync("lp_copy");
        h.As("varlor_backup");
        (await h.RunAsync("db", "dump")).AssertSuccess();
        (await h.RunAsync("db", "basebackup", "--count")).AssertSuccess();
        // No WAL is archived in this cluster: the backup role reads the repository and says so (exit 1), no error of rights.
        var walStatus = await h.RunAsync("wal", "status");
        walStatus.AssertOneLineError(1, "nothing is recoverable: no WAL archived yet");

        h.As("varlor_restore");
        (await h.RunAsync("db", "verify-restore")).AssertSuccess();
        var osUser = OsUser.ServerToolUser is { } user ? new[] { "--os-user", user } : [];
        (await h.RunAsync(["db", "verify-restore", "--basebackup", .. osUser])).AssertSuccess();

        var copy = h.NewName("lp_copy2");
        (await h.RunAsync("db", "restore", "latest", "--target-db", copy)).AssertSuccess();
        Assert.Equal("varlor_prod", await h.ScalarAsync<string>("SELECT pg_get_userbyid(relowner)::text FROM pg_class WHERE relname = 'datasets'", copy));
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT count(*) FROM reports.daily", copy));

        var tables = h.NewName("lp_tables");
        (await h.RunAsync("db", "restore", "latest", "--target-db", tables, "--table", "datasets")).AssertSuccess();
        Assert.Equal(20L, await h.ScalarAsync<long>("SELECT count(*) FROM datasets", tables));
    }

    [Fact]
    public async Task In_place_restores_as_the_restore_role_keep_owners_grants_and_settings_and_the_service_can_migrate()
    {
        await using var h = await ServiceDatabaseAsync("lp_inplace");
        var before = await FingerprintAsync(h);
        h.As("varlor_backup");
        (await h.RunAsync("db", "dump")).AssertSuccess();
        await h.ExecAsync("SET ROLE varlor_prod; DELETE FROM dataset_columns; DELETE FROM datasets; DELETE FROM reports.daily");

        h.As("varlor_restore");
        (await h.RunAsync("db", "restore", "latest", "--in-place", "--force", "--table", "datasets", "--table", "dataset_columns")).AssertSuccess();
        Assert.Equal(20L, await h.ScalarAsync<long>("SELECT count(*) FROM datasets"));
        Assert.Equal(before, await FingerprintAsync(h));

        (await h.RunAsync("db", "restore", "latest", "--in-place", "--force")).AssertSuccess();
        Assert.Equal(1L, await h.ScalarAsync<long>("SELECT count(*) FROM reports.daily"));
        Assert.Equal(before, await FingerprintAsync(h));

        // The service, as varlor_prod, migrates (its CREATE TABLE IF NOT EXISTS schema_migrations needs CREATE
        // on public, which PostgreSQL 15 gives to the database owner only) and writes.
        Assert.Contains("up to date", await ServerAsync(h, "migrate"));
        var added = await ServerAsync(h, "tenant", "add", "after-restore");
        var apiKey = added.Split("store it safely):")[1].Trim();

        // And serves an upload (a new dataset row and its columns).
        var port = FreePort();
        using var run = Process.Start(ServerStart(h, "run", "--urls", $"http://127.0.0.1:{port}"))!;
        try
        {
            using var client = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}") };
            client.DefaultRequestHeaders.Add("X-Api-Key", apiKey);
            HttpResponseMessage? upload = null;
            for (var i = 0; i < 300 && upload is null && !run.HasExited; i++)
            {
                try
                {
                    using var form = new MultipartFormDataContent { { new ByteArrayContent("id,name\n1,after restore\n"u8.ToArray()), "file", "after.csv" } };
                    upload = await client.PostAsync("/api/v1/datasets", form);
                }
                catch (HttpRequestException)
                {
                    await Task.Delay(200); // not listening yet
                }
            }
            Assert.True(upload?.StatusCode == System.Net.HttpStatusCode.Created, upload is null ? "varlor-server did not answer" : await upload.Content.ReadAsStringAsync());
            Assert.Equal(21L, await h.ScalarAsync<long>("SELECT count(*) FROM datasets"));
        }
        finally
        {
            run.Kill(entireProcessTree: true);
            await run.WaitForExitAsync();
        }
        await h.ExecAsync("SET ROLE varlor_prod; CREATE TABLE created_after_restore (id int)");
    }
}
