using Npgsql;
using Varlor.Testing;

namespace Varlor.Backup.Postgres.Tests;

/// <summary>
/// A private PostgreSQL 15 cluster whose archive_command is `varlor-backup wal push %p` into a repository of its own
/// (as a real deployment has it: the server's user runs the archiver with a password file), and the varlor-backup
/// command line for the test's own calls.
/// </summary>
public sealed class WalHarness : IAsyncDisposable
{
    // Where the server's user can run it (the archiver and restore_command run as that user).
    private static string Dll => SharedProgram.Dll();
    public const string Password = "wal test password";

    private WalHarness(string root) => Root = root;

    public string Root { get; }
    public string Repo => Path.Combine(Root, "repo");
    public string PasswordFile => Path.Combine(Root, "password");
    public string Spool => Path.Combine(Root, "spool");
    public PostgresCluster Cluster { get; private set; } = null!;
    public Dictionary<string, string> Env { get; } = new() { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" };

    /// <summary>The command line of this program as PostgreSQL runs it (absolute paths, no secrets).</summary>
    public string Command(string args) =>
        $"VARLOR_WAL_SPOOL={Spool} {SharedProgram.EnvironmentPrefix}{DotnetHost} {Dll} --repo {Repo} --password-file {PasswordFile} {args}";

    private static string DotnetHost => Environment.ProcessPath is { } host && Path.GetFileNameWithoutExtension(host) == "dotnet" ? host : "dotnet";

    public static async Task<WalHarness> StartAsync(string extraConfig = "")
    {
        // Reachable by the unprivileged server user when the tests run as root.
        var h = new WalHarness(Path.Combine("/tmp", "varlor-wal-" + Guid.NewGuid().ToString("N")[..10]));
        Directory.CreateDirectory(h.Root);
        await File.WriteAllTextAsync(h.PasswordFile, Password + "\n");
        h.Env["VARLOR_REPOSITORY"] = h.Repo;
        h.Env["VARLOR_PASSWORD"] = Password;
        h.Env["VARLOR_KDF_MEMORY_KIB"] = "8192";
        h.Env["VARLOR_WAL_SPOOL"] = h.Spool;
        (await h.RunAsync("init")).AssertSuccess();
        await OsUser.ChownAsync(h.Root, default);
        h.Cluster = await PostgresCluster.StartAsync(default, $"""
            archive_mode = on
            archive_command = '{h.Command("wal push %p")}'
            wal_level = replica
            {extraConfig}
            """);
        foreach (var (k, v) in h.Cluster.LibpqEnvironment("postgres")) h.Env[k] = v;
        return h;
    }

    public async Task<CliResult> RunAsync(params string[] args)
    {
        var r = await ProcessRunner.RunAsync("dotnet", [Dll, .. args], Env, timeout: TimeSpan.FromMinutes(3));
        return new CliResult(r.ExitCode, r.StandardOutput, r.StandardError);
    }

    public async Task<NpgsqlConnection> OpenAsync(int? port = null)
    {
        var cs = port is null ? Cluster.ConnectionString() : $"Host=127.0.0.1;Port={port};Username=postgres;Database=postgres";
        var conn = new NpgsqlConnection(cs + ";Pooling=false");
        await conn.OpenAsync();
        return conn;
    }

    public async Task<T> ScalarAsync<T>(string sql, int? port = null)
    {
        await using var conn = await OpenAsync(port);
        await using var cmd = new NpgsqlCommand(sql, conn);
        return (T)(await cmd.ExecuteScalarAsync())!;
    }

    public async Task ExecAsync(string sql)
    {
        await using var conn = await OpenAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync();
    }

    /// <summary>Ends the current segment and waits until the archiver has stored it (or fails with the server log).</summary>
    public async Task<string> SwitchAndWaitArchivedAsync()
    {
        var segment = await ScalarAsync<string>("SELECT pg_walfile_name(pg_switch_wal())");
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline)
        {
            var last = await ScalarAsync<object>("SELECT coalesce(last_archived_wal, '') FROM pg_stat_archiver") as string ?? "";
            if (string.CompareOrdinal(last, segment) >= 0 && last.Length == 24) return segment;
            await Task.Delay(200);
        }
        var log = File.Exists(Cluster.LogFile) ? await File.ReadAllTextAsync(Cluster.LogFile) : "";
        throw new TimeoutException($"segment {segment} was not archived within 90 s; server log:\n{log[^Math.Min(log.Length, 4000)..]}");
    }

    /// <summary>Stops a cluster started from a restored folder (as the server's user).</summary>
    public static async Task StopAsync(PostgresCluster like, string dataDir)
    {
        var (file, args) = OsUser.Wrap(like.Tool("pg_ctl"), ["-D", dataDir, "-m", "immediate", "-w", "stop"]);
        await ProcessRunner.RunAsync(file, args, timeout: TimeSpan.FromSeconds(60));
    }

    public async ValueTask DisposeAsync()
    {
        if (Cluster is not null) await Cluster.DisposeAsync();
        try { Directory.Delete(Root, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
