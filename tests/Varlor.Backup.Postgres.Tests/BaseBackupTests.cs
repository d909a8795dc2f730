using System.Net;
using System.Net.Sockets;
using Npgsql;
using Varlor.Testing;

namespace Varlor.Backup.Postgres.Tests;

public sealed class BaseBackupTests
{
    [Fact]
    public async Task A_base_backup_restores_into_a_folder_that_starts_with_the_data_of_the_backup_and_archiving_off()
    {
        await using var h = await DbHarness.CreateAsync("physical");
        await h.ExecAsync("CREATE TABLE marks (id int PRIMARY KEY, note text); INSERT INTO marks SELECT g, 'before' FROM generate_series(1, 500) g");
        var backup = await h.RunAsync("db", "basebackup");
        backup.AssertSuccess();
        Assert.Contains("archive_mode is off", backup.Stderr); // the shared cluster does not archive: said, not hidden
        Assert.Contains("recovers only to its own end", backup.Stderr);
        await h.ExecAsync("INSERT INTO marks VALUES (501, 'after')");

        var dir = Path.Combine("/tmp", "varlor-pgdata-" + Guid.NewGuid().ToString("N")[..8]); // reachable by the server's user
        var socket = dir + "-socket";
        try
        {
            var restore = await h.RunAsync("db", "restore", "latest", "--target-dir", dir);
            restore.AssertSuccess();
            Assert.Contains("archive_mode = 'off'", await File.ReadAllTextAsync(Path.Combine(dir, "postgresql.auto.conf")));
            Assert.True(File.Exists(Path.Combine(dir, "backup_label")));
            (await h.RunAsync("db", "restore", "latest", "--target-dir", dir)).AssertOneLineError(1, "is not empty");

            Directory.CreateDirectory(socket);
            await OsUser.ChownAsync(dir, default);
            await OsUser.ChownAsync(socket, default);
            var port = FreePort();
            var (file, args) = OsUser.Wrap(h.Cluster.Tool("pg_ctl"),
                ["-D", dir, "-l", dir + ".log", "-o", $"-p {port} -k {socket} -c listen_addresses=127.0.0.1", "-w", "-t", "60", "start"]);
            var start = await ProcessRunner.RunAsync(file, args, timeout: TimeSpan.FromSeconds(90));
            Assert.True(start.ExitCode == 0, start.Output + (File.Exists(dir + ".log") ? await File.ReadAllTextAsync(dir + ".log") : ""));
            try
            {
                await using var conn = new NpgsqlConnection($"Host=127.0.0.1;Port={port};Username=postgres;Database={h.Database};Pooling=false");
                await conn.OpenAsync();
                await using var cmd = new NpgsqlCommand("SELECT count(*), count(*) FILTER (WHERE note = 'after') FROM marks", conn);
                await using var r = await cmd.ExecuteReaderAsync();
                await r.ReadAsync();
                Assert.Equal(500L, r.GetInt64(0));
                Assert.Equal(0L, r.GetInt64(1));
                await r.CloseAsync();
                await using var archive = new NpgsqlCommand("SHOW archive_mode", conn);
                Assert.Equal("off", await archive.ExecuteScalarAsync());
            }
            finally
            {
                var (f2, a2) = OsUser.Wrap(h.Cluster.Tool("pg_ctl"), ["-D", dir, "-m", "immediate", "-w", "stop"]);
                await ProcessRunner.RunAsync(f2, a2, timeout: TimeSpan.FromSeconds(60));
            }
        }
        finally
        {
            foreach (var d in new[] { dir, socket }) if (Directory.Exists(d)) Directory.Delete(d, recursive: true);
            File.Delete(dir + ".log");
        }
    }

    private static int FreePort()
    {
        using var l = new TcpListener(IPAddress.Loopback, 0);
        l.Start();
        return ((IPEndPoint)l.LocalEndpoint).Port;
    }
}
