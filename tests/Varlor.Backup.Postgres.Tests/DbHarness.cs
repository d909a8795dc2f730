using Npgsql;
using Varlor.Testing;

namespace Varlor.Backup.Postgres.Tests;

public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";

    /// <summary>An error is one line "error: ..." on stderr with the expected exit code and no stack trace.</summary>
    public void AssertOneLineError(int exitCode, string mustContain)
    {
        Assert.True(ExitCode == exitCode, ToString());
        var lines = Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.True(lines.Length == 1, ToString());
        Assert.StartsWith("error: ", lines[0]);
        Assert.Contains(mustContain, lines[0]);
    }

    public void AssertSuccess() => Assert.True(ExitCode == 0, ToString());
}

/// <summary>
/// A repository and a database of the shared PostgreSQL cluster, and the real varlor-backup program run as a
/// child process with the libpq environment pointing at that database.
/// </summary>
public sealed class DbHarness : IAsyncDisposable
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "varlor-backup.dll");
    private readonly List<string> _databases = [];

    private DbHarness(PostgresCluster cluster, string database)
    {
        Cluster = cluster;
        Database = database;
        Directory.CreateDirectory(Root);
        Env["VARLOR_REPOSITORY"] = Path.Combine(Root, "repo");
        Env["VARLOR_PASSWORD"] = "db test password";
        Env["VARLOR_KDF_MEMORY_KIB"] = "8192";
        foreach (var (k, v) in cluster.LibpqEnvironment(database)) Env[k] = v;
        _databases.Add(database);
    }

    public PostgresCluster Cluster { get; }
    public string Database { get; }
    public string Root { get; } = Path.Combine(Path.GetTempPath(), "varlor-db-" + Guid.NewGuid().ToString("N")[..10]);
    public string Repo => Env["VARLOR_REPOSITORY"]!;
    public Dictionary<string, string> Env { get; } = new() { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" };

    public static async Task<DbHarness> CreateAsync(string prefix)
    {
        var cluster = await PostgresCluster.GetSharedAsync();
        var db = await cluster.CreateDatabaseAsync(prefix);
        var h = new DbHarness(cluster, db.Name);
        (await h.RunAsync("init")).AssertSuccess();
        return h;
    }

    /// <summary>A repository and a new database owned by <paramref name="owner"/> in <paramref name="cluster"/> (e.g. one with the documented roles).</summary>
    public static async Task<DbHarness> CreateAsync(PostgresCluster cluster, string prefix, string owner)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 17)];
        await using (var conn = new NpgsqlConnection(cluster.ConnectionString() + ";Pooling=false"))
        {
            await conn.OpenAsync();
            await using var cmd = new NpgsqlCommand($"CREATE DATABASE \"{name}\" OWNER \"{owner}\"", conn);
            await cmd.ExecuteNonQueryAsync();
        }
        var h = new DbHarness(cluster, name);
        (await h.RunAsync("init")).AssertSuccess();
        return h;
    }

    /// <summary>Runs the next commands as this PostgreSQL role (PGUSER) rather than the superuser.</summary>
    public void As(string role) => Env["PGUSER"] = role;

    /// <summary>
    /// A folder holding a fake `pg_dump` (for --pg-bin or VARLOR_PG_BIN): `--version` answers as the real one,
    /// anything else runs <paramref name="pipeline"/>, where {pg_dump} stands for the real program with its arguments.
    /// </summary>
    public async Task<string> WrapPgDumpAsync(string folder, string pipeline)
    {
        var bin = Path.Combine(Root, folder);
        Directory.CreateDirectory(bin);
        var real = Cluster.Tool("pg_dump");
        var script = Path.Combine(bin, "pg_dump");
        await File.WriteAllTextAsync(script,
            $"#!/bin/sh\nif [ \"$1\" = \"--version\" ]; then exec {real} --version; fi\n{pipeline.Replace("{pg_dump}", real + " \"$@\"", StringComparison.Ordinal)}\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        return bin;
    }

    /// <summary>A database name this harness drops at the end.</summary>
    public string NewName(string prefix)
    {
        var name = $"{prefix}_{Guid.NewGuid():N}"[..Math.Min(40, prefix.Length + 33)];
        _databases.Add(name);
        return name;
    }

    public async Task<CliResult> RunAsync(params string[] args)
    {
        var r = await Varlor.Testing.ProcessRunner.RunAsync("dotnet", [Dll, .. args], Env, timeout: TimeSpan.FromMinutes(2));
        return new CliResult(r.ExitCode, r.StandardOutput, r.StandardError);
    }

    public async Task<NpgsqlConnection> OpenAsync(string? database = null)
    {
        var conn = new NpgsqlConnection(Cluster.ConnectionString(database ?? Database) + ";Pooling=false");
        await conn.OpenAsync();
        return conn;
    }

    public async Task ExecAsync(string sql, string? database = null)
    {
        await using var conn = await OpenAsync(database);
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    public async Task<T> ScalarAsync<T>(string sql, string? database = null)
    {
        await using var conn = await OpenAsync(database);
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    /// <summary>varlor-server's schema (its first migration) and a few tenants, datasets and columns.</summary>
    public async Task CreateVarlorSchemaAsync(int datasets)
    {
        foreach (var sql in await VarlorSchemaAsync(datasets)) await ExecAsync(sql);
    }

    /// <summary>The statements of <see cref="CreateVarlorSchemaAsync"/>, for a database of another cluster.</summary>
    public static async Task<string[]> VarlorSchemaAsync(int datasets) =>
    [
        await File.ReadAllTextAsync(Path.Combine(RepoRoot(), "src/Varlor.Server/Database/Migrations/0001_initial.sql")),
        $"""
            INSERT INTO tenants (id, name, api_key_hash, api_key_prefix) VALUES (gen_random_uuid(), 'acme', '\x01', 'vk_a');
            INSERT INTO datasets (id, tenant_id, name, original_file_name, format, size, row_count, sha256, status, storage_path, created_at, updated_at)
              SELECT gen_random_uuid(), (SELECT id FROM tenants), 'set ' || g, 'f' || g || '.csv', 'csv', 100 + g, g, md5(g::text) || md5(g::text), 'ready', 'datasets/x/' || g,
                     now() - ({datasets} - g) * interval '1 minute', now() - ({datasets} - g) * interval '1 minute'
              FROM generate_series(1, {datasets}) g;
            INSERT INTO dataset_columns (dataset_id, position, name, type, nullable, stats)
              SELECT d.id, p, 'col' || p, 'text', p % 2 = 0, jsonb_build_object('distinct', p) FROM datasets d, generate_series(0, 5) p;
            """,
    ];

    public static string RepoRoot()
    {
        var dir = AppContext.BaseDirectory;
        while (dir is not null && !File.Exists(Path.Combine(dir, "Varlor.slnx"))) dir = Path.GetDirectoryName(dir);
        return dir ?? throw new InvalidOperationException("Varlor.slnx not found above the test folder");
    }

    public async ValueTask DisposeAsync()
    {
        // Also the copies an in-place restore leaves (NAME_before_restore_TIME, NAME_restoring_TIME).
        var all = new List<string>(_databases);
        await using (var conn = await OpenAsync("postgres"))
        await using (var cmd = new NpgsqlCommand("SELECT datname FROM pg_database WHERE starts_with(datname, $1)", conn))
        {
            cmd.Parameters.Add(new NpgsqlParameter { Value = Database[..Math.Min(Database.Length, 30)] });
            await using var r = await cmd.ExecuteReaderAsync();
            while (await r.ReadAsync()) all.Add(r.GetString(0));
        }
        foreach (var db in all.Distinct())
        {
            try { await Cluster.DropDatabaseAsync(db); } catch (NpgsqlException) { }
        }
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
