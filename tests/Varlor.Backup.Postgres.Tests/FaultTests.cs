using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using Varlor.Backup.Postgres.Dumps;

namespace Varlor.Backup.Postgres.Tests;

public sealed class FaultTests
{
    [Fact]
    public async Task Killing_varlor_backup_in_the_middle_of_a_dump_stores_no_snapshot_and_the_next_dump_works()
    {
        await using var h = await DbHarness.CreateAsync("killcli");
        await h.CreateVarlorSchemaAsync(datasets: 2000);
        // pg_dump that pauses after part of its output, so that the kill lands in the middle of the stream.
        var bin = await h.WrapPgDumpAsync("slowbin", "{pg_dump} | (head -c 300000; sleep 8; cat)");

        var psi = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "varlor-backup.dll"), "db", "dump", "--pg-bin", bin }) psi.ArgumentList.Add(a);
        foreach (var (k, v) in h.Env) psi.Environment[k] = v;
        using (var p = Process.Start(psi)!)
        {
            await Task.Delay(4000);
            Assert.False(p.HasExited, "the dump ended before the kill");
            p.Kill(); // SIGKILL: no clean-up code runs
            await p.WaitForExitAsync();
        }
        Assert.Empty(Directory.GetFiles(Path.Combine(h.Repo, "snapshots")));
        var next = await h.RunAsync("db", "dump");
        next.AssertSuccess();
        Assert.Single(Directory.GetFiles(Path.Combine(h.Repo, "snapshots")));
        (await h.RunAsync("check")).AssertSuccess();
    }

    [Fact]
    public async Task An_in_place_restore_puts_varlor_server_in_maintenance_and_takes_it_out()
    {
        await using var h = await DbHarness.CreateAsync("maint");
        await h.CreateVarlorSchemaAsync(datasets: 10);
        (await h.RunAsync("db", "dump")).AssertSuccess();

        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        var requests = new List<string>();
        using var stop = new CancellationTokenSource();
        var server = Task.Run(async () =>
        {
            while (!stop.IsCancellationRequested)
            {
                using var client = await listener.AcceptTcpClientAsync(stop.Token);
                var stream = client.GetStream();
                var buffer = new byte[8192];
                var n = await stream.ReadAsync(buffer, stop.Token);
                var head = System.Text.Encoding.ASCII.GetString(buffer, 0, n);
                lock (requests) requests.Add(head);
                await stream.WriteAsync("HTTP/1.1 200 OK\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"u8.ToArray(), stop.Token);
            }
        });
        h.Env["VARLOR_ADMIN_KEY"] = "admin-secret-key";
        var r = await h.RunAsync("db", "restore", "latest", "--in-place", "--force", "--maintenance-url", $"http://127.0.0.1:{port}");
        await stop.CancelAsync();
        try { await server; } catch (OperationCanceledException) { }
        r.AssertSuccess();
        Assert.DoesNotContain("admin-secret-key", r.Stdout + r.Stderr);
        lock (requests)
        {
            Assert.Equal(2, requests.Count);
            Assert.StartsWith("POST /admin/maintenance ", requests[0]);
            Assert.StartsWith("DELETE /admin/maintenance ", requests[1]);
            Assert.All(requests, q => Assert.Contains("X-Api-Key: admin-secret-key", q, StringComparison.OrdinalIgnoreCase));
        }
    }

    [Fact]
    public async Task A_dump_snapshot_restores_as_files_with_the_ordinary_restore_command()
    {
        await using var h = await DbHarness.CreateAsync("files");
        await h.CreateVarlorSchemaAsync(datasets: 10);
        (await h.RunAsync("db", "dump")).AssertSuccess();
        var target = Path.Combine(h.Root, "files");
        (await h.RunAsync("restore", "latest", "--target", target)).AssertSuccess();
        var folder = Path.Combine(target, "postgresql", h.Database);
        var manifest = DumpManifest.FromJson(await File.ReadAllBytesAsync(Path.Combine(folder, "manifest.json")));
        Assert.Equal(manifest.DumpBytes, new FileInfo(Path.Combine(folder, "dump.pgdump")).Length);
        Assert.Equal(10, manifest.Find("public", "datasets")!.Rows);
        var list = await Varlor.Testing.ProcessRunner.RunAsync(h.Cluster.Tool("pg_restore"), ["--list", Path.Combine(folder, "dump.pgdump")]);
        Assert.Contains("TABLE DATA public datasets", list.StandardOutput);
    }
}
