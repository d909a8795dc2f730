using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Npgsql;

namespace Varlor.Testing;

/// <summary>
/// A throw-away PostgreSQL cluster: initdb and pg_ctl in a temporary folder, on a free loopback port, trust
/// authentication for the superuser "postgres", fsync off. When the tests run as root the server runs as an
/// unprivileged user (see <see cref="OsUser"/>). <see cref="GetSharedAsync"/> gives the one cluster of the test
/// run; it is stopped when the process exits, and by a watchdog process if the test process is killed.
/// </summary>
public sealed partial class PostgresCluster : IAsyncDisposable
{
    private static readonly Lazy<Task<PostgresCluster>> Shared = new(() => StartAsync(CancellationToken.None));
    private readonly object _stopLock = new();
    private bool _stopped;

    private PostgresCluster(string root, string binDirectory, int port)
    {
        RootDirectory = root;
        BinDirectory = binDirectory;
        Port = port;
    }

    public string Host => "127.0.0.1";
    public int Port { get; }
    public string Superuser => "postgres";
    /// <summary>Directory of initdb, pg_ctl, psql, pg_dump, pg_restore… of this cluster's version.</summary>
    public string BinDirectory { get; }
    /// <summary>The temporary folder holding data/, the server log and the socket directory; removed on stop.</summary>
    public string RootDirectory { get; }
    public string DataDirectory => Path.Combine(RootDirectory, "data");
    public string LogFile => Path.Combine(RootDirectory, "server.log");
    /// <summary>"15.x" as printed by the server.</summary>
    public string Version { get; private set; } = "";

    /// <summary>The cluster shared by the whole test run, started on first use.</summary>
    public static Task<PostgresCluster> GetSharedAsync() => Shared.Value;

    /// <summary>Full path of a PostgreSQL program, e.g. Tool("pg_dump").</summary>
    public string Tool(string name) => Path.Combine(BinDirectory, name);

    public string ConnectionString(string database = "postgres") => new NpgsqlConnectionStringBuilder
    {
        Host = Host,
        Port = Port,
        Username = Superuser,
        Database = database,
        Pooling = true,
        Timeout = 15,
    }.ConnectionString;

    /// <summary>PGHOST, PGPORT, PGUSER and PGDATABASE for libpq programs (psql, pg_dump, pg_restore).</summary>
    public IReadOnlyDictionary<string, string> LibpqEnvironment(string database = "postgres") => new Dictionary<string, string>
    {
        ["PGHOST"] = Host,
        ["PGPORT"] = Port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        ["PGUSER"] = Superuser,
        ["PGDATABASE"] = database,
    };

    /// <summary>Creates an empty database with a unique name; dispose the result to drop it.</summary>
    public async Task<PostgresDatabase> CreateDatabaseAsync(string prefix = "t", CancellationToken ct = default)
    {
        var safe = new string(prefix.ToLowerInvariant().Where(c => char.IsAsciiLetterOrDigit(c) || c == '_').Take(30).ToArray());
        var name = $"{(safe.Length == 0 ? "t" : safe)}_{Guid.NewGuid():N}"[..Math.Min(63, safe.Length + 33)];
        await ExecuteAsync($"CREATE DATABASE \"{name}\"", ct);
        return new PostgresDatabase(this, name);
    }

    public async Task DropDatabaseAsync(string name, CancellationToken ct = default) =>
        await ExecuteAsync($"DROP DATABASE IF EXISTS \"{name.Replace("\"", "\"\"", StringComparison.Ordinal)}\" WITH (FORCE)", ct);

    private async Task ExecuteAsync(string sql, CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(ConnectionString() + ";Pooling=false");
        await conn.OpenAsync(ct);
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Starts a new private cluster (most tests want <see cref="GetSharedAsync"/> instead); <paramref name="extraConfig"/>
    /// is appended to postgresql.conf (e.g. archive_mode and archive_command).</summary>
    public static async Task<PostgresCluster> StartAsync(CancellationToken ct, string? extraConfig = null)
    {
        var bin = PostgresInstallation.RequireBinDirectory();
        // As root the folder must be reachable by the unprivileged server user, which $TMPDIR may not be.
        var tempBase = OsUser.ServerToolUser is null ? Path.GetTempPath() : "/tmp";
        var root = Path.Combine(tempBase, $"varlor-pg-{Environment.ProcessId}-{Guid.NewGuid():N}"[..40]);
        Directory.CreateDirectory(root);
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "socket"));
            await OsUser.ChownAsync(root, ct);
            var init = await RunServerToolAsync(root, Path.Combine(bin, "initdb"),
                ["-D", Path.Combine(root, "data"), "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8",
                 "--locale=C", "--no-instructions"], ct);
            if (init.ExitCode != 0) throw new InvalidOperationException($"initdb failed ({init.ExitCode}): {init.Output}");
            await File.AppendAllTextAsync(Path.Combine(root, "data", "postgresql.conf"), $"""

                # varlor test cluster
                listen_addresses = '127.0.0.1'
                unix_socket_directories = '{Path.Combine(root, "socket")}'
                fsync = off
                synchronous_commit = off
                full_page_writes = off
                max_connections = 200
                shared_buffers = 64MB
                {extraConfig}
                """, ct);

            for (var attempt = 1; ; attempt++)
            {
                var port = FreePort();
                var start = await RunServerToolAsync(root, Path.Combine(bin, "pg_ctl"),
                    ["-D", Path.Combine(root, "data"), "-l", Path.Combine(root, "server.log"), "-o", $"-p {port}", "-w", "-t", "60", "start"], ct);
                if (start.ExitCode == 0)
                {
                    var cluster = new PostgresCluster(root, bin, port);
                    cluster.StartWatchdog();
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => cluster.Stop();
                    cluster.Version = await cluster.ServerVersionAsync(ct);
                    return cluster;
                }

                var log = File.Exists(Path.Combine(root, "server.log")) ? await File.ReadAllTextAsync(Path.Combine(root, "server.log"), ct) : "";
                if (attempt < 3 && log.Contains("could not bind", StringComparison.OrdinalIgnoreCase)) continue; // port taken meanwhile
                throw new InvalidOperationException($"pg_ctl start failed ({start.ExitCode}): {start.Output}\n{log}");
            }
        }
        catch
        {
            TryDelete(root);
            throw;
        }
    }

    private async Task<string> ServerVersionAsync(CancellationToken ct)
    {
        await using var conn = new NpgsqlConnection(ConnectionString() + ";Pooling=false");
        await conn.OpenAsync(ct);
        return conn.PostgreSqlVersion.ToString();
    }

    /// <summary>
    /// Restarts the server as an operator would (pg_ctl restart, fast shutdown: sessions are ended with 57P01),
    /// on the same port and data. Only for a private cluster (<see cref="StartAsync"/>), never the shared one.
    /// </summary>
    public async Task RestartAsync(CancellationToken ct = default)
    {
        var restart = await RunServerToolAsync(RootDirectory, Tool("pg_ctl"),
            ["-D", DataDirectory, "-l", LogFile, "-m", "fast", "-w", "-t", "60", "restart"], ct);
        if (restart.ExitCode != 0) throw new InvalidOperationException($"pg_ctl restart failed ({restart.ExitCode}): {restart.Output}");
    }

    /// <summary>Stops the server at once (SIGQUIT, immediate shutdown) and deletes the folder. Safe to call twice.</summary>
    public void Stop()
    {
        lock (_stopLock)
        {
            if (_stopped) return;
            _stopped = true;
        }

        var pid = PostmasterPid();
        if (pid is { } p)
        {
            try
            {
                using var process = Process.GetProcessById(p);
                _ = Signal(p, 3); // SIGQUIT: immediate shutdown, children exit too
                if (!process.WaitForExit(10_000)) process.Kill(entireProcessTree: true);
            }
            catch (ArgumentException)
            {
                // already gone
            }
        }

        TryDelete(RootDirectory);
    }

    public ValueTask DisposeAsync()
    {
        Stop();
        return ValueTask.CompletedTask;
    }

    private int? PostmasterPid()
    {
        try
        {
            var first = File.ReadLines(Path.Combine(DataDirectory, "postmaster.pid")).FirstOrDefault();
            return int.TryParse(first, out var pid) ? pid : null;
        }
        catch (IOException)
        {
            return null;
        }
    }

    /// <summary>
    /// A detached shell that waits for this process to end, however it ends (even SIGKILL), then stops the
    /// server and removes the folder, so that no cluster outlives its test run.
    /// </summary>
    private void StartWatchdog()
    {
        const string script = """
            exec </dev/null >/dev/null 2>&1
            while kill -0 "$1" 2>/dev/null; do sleep 1; done
            pid=$(head -n1 "$2/data/postmaster.pid" 2>/dev/null)
            if [ -n "$pid" ]; then kill -QUIT "$pid" 2>/dev/null; sleep 2; kill -KILL "$pid" 2>/dev/null; fi
            rm -rf "$2"
            """;
        var setsid = OsUser.FindExecutable("setsid");
        var info = new ProcessStartInfo(setsid ?? "/bin/sh")
        {
            UseShellExecute = false,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (setsid is not null) info.ArgumentList.Add("/bin/sh");
        foreach (var a in new[] { "-c", script, "varlor-pg-watchdog", Environment.ProcessId.ToString(System.Globalization.CultureInfo.InvariantCulture), RootDirectory })
            info.ArgumentList.Add(a);
        using var watchdog = Process.Start(info);
        watchdog?.StandardInput.Close();
    }

    private static Task<ProcessResult> RunServerToolAsync(string root, string tool, IEnumerable<string> args, CancellationToken ct)
    {
        var (file, arguments) = OsUser.Wrap(tool, args);
        return ProcessRunner.RunAsync(file, arguments, workingDirectory: root, timeout: TimeSpan.FromSeconds(90), ct: ct);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void TryDelete(string dir)
    {
        try
        {
            if (Directory.Exists(dir)) Directory.Delete(dir, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the watchdog removes it later
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "kill")]
    private static partial int Signal(int pid, int signal);
}
