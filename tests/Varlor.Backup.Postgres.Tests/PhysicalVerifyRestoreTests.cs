using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Text.Json;
using Npgsql;
using Varlor.Backup.Engines.Archiving;
using Varlor.Backup.Engines.Restoring;
using Varlor.Backup.Postgres.BaseBackups;
using Varlor.Backup.Postgres.Common;
using Varlor.Backup.Storage;
using Varlor.Testing;

namespace Varlor.Backup.Postgres.Tests;

/// <summary>
/// verify-restore of base backups, on a private cluster (the shared one is written to by other tests at any
/// moment, and a base backup copies the whole cluster) with autovacuum off, so that nothing assigns a
/// transaction id while the backup runs unless the test does.
/// </summary>
public sealed class PhysicalVerifyRestoreTests
{
    private static string[] OsUserArgs => OsUser.ServerToolUser is { } user ? ["--os-user", user] : [];

    [Fact]
    public async Task A_quiet_base_backup_verifies_with_exact_figures_and_leaves_no_folder_or_server_behind()
    {
        await using var h = await StartAsync();
        var backup = await h.RunAsync("db", "basebackup", "--count");
        backup.AssertSuccess();
        Assert.Contains("recorded for verify-restore: 4 tables, 221 rows in 2 databases", backup.Stdout);
        Assert.DoesNotContain("written to while the backup ran", backup.Stdout);

        var r = await h.RunAsync(["db", "verify-restore", "--basebackup", .. OsUserArgs]);
        r.AssertSuccess();
        Assert.Contains("scratch cluster recovered to the end of the backup and consistent", r.Stdout);
        Assert.Contains("database app:", r.Stdout);
        Assert.Contains("ok   public.datasets: 30 rows (recorded 30), checksum matches", r.Stdout);
        Assert.Contains("ok   public.dataset_columns: 180 rows (recorded 180), checksum matches", r.Stdout);
        Assert.Contains("ok   public.tenants: 1 rows (recorded 1)", r.Stdout);
        Assert.Contains("ok   public.scratchpad: 0 rows (recorded 0) [unlogged: not in a base backup (10 rows at backup time)]", r.Stdout);
        Assert.Contains("database postgres: no tables", r.Stdout);
        Assert.Contains("verify-restore passed: 2 databases, 4 tables, 211 rows match the base backup", r.Stdout);
        Assert.Equal("", r.Stderr.Trim());
        AssertCleanedUp(r.Stdout);

        var json = await h.RunAsync(["db", "verify-restore", "--basebackup", "--json", .. OsUserArgs]);
        json.AssertSuccess();
        var doc = JsonDocument.Parse(json.Stdout[json.Stdout.IndexOf('{', StringComparison.Ordinal)..]).RootElement;
        Assert.True(doc.GetProperty("ok").GetBoolean());
        Assert.False(doc.GetProperty("written_during_backup").GetBoolean());
        var app = doc.GetProperty("databases").EnumerateArray().Single(d => d.GetProperty("database").GetString() == "app");
        var datasets = app.GetProperty("tables").EnumerateArray().Single(t => t.GetProperty("table").GetString() == "public.datasets");
        Assert.Equal(30, datasets.GetProperty("restored_rows").GetInt64());
        Assert.Equal(datasets.GetProperty("recorded_checksum").GetString(), datasets.GetProperty("restored_checksum").GetString());
    }

    [Fact]
    public async Task Differences_fail_a_quiet_backup_with_exit_22_and_are_only_reported_when_the_backup_saw_writes()
    {
        await using var h = await StartAsync();
        (await h.RunAsync("db", "basebackup", "--count")).AssertSuccess();

        // The same copy of the cluster stored with a manifest that recorded one more dataset and another checksum
        // of the columns (a backup damaged before it was stored, say): a quiet backup must not verify.
        await StoreDoctoredAsync(h, m => m);
        var r = await h.RunAsync(["db", "verify-restore", "--basebackup", .. OsUserArgs]);
        r.AssertOneLineError(DbExitCodes.VerificationFailed, "verify-restore failed: 2 of 4 tables differ from the quiet backup's counts (public.dataset_columns, public.datasets)");
        Assert.Contains("FAIL public.datasets: 30 rows (recorded 31), checksum matches", r.Stdout);
        Assert.Contains("FAIL public.dataset_columns: 180 rows (recorded 180), checksum", r.Stdout);
        Assert.Contains("ok   public.tenants: 1 rows (recorded 1)", r.Stdout);
        AssertCleanedUp(r.Stdout);

        // The same differences from a backup during which transactions ran (its counts come from after
        // pg_basebackup ended): reported as changed; the verification passes on consistency and readability.
        await StoreDoctoredAsync(h, m => m with { StartSnapshot = "1:1:" });
        var busy = await h.RunAsync(["db", "verify-restore", "--basebackup", .. OsUserArgs]);
        busy.AssertSuccess();
        Assert.Contains("note: transactions ran while the backup was taken", busy.Stdout);
        Assert.Contains("changed public.datasets: 30 rows (recorded 31)", busy.Stdout);
        Assert.Contains("verify-restore passed: the scratch cluster reached consistency and all 4 tables of 2 databases were readable; 2 differ from the counts, changed while the backup ran", busy.Stdout);
        AssertCleanedUp(busy.Stdout);

        if (OsUser.IsRoot)
            (await h.RunAsync("db", "verify-restore", "--basebackup", "--os-user", "no-such-user-here")).AssertOneLineError(1, "--os-user no-such-user-here: no such user");

        // A base backup taken without --count (or by an older version) recorded nothing to compare with.
        await StoreDoctoredAsync(h, m => m with { Contents = null, StartSnapshot = null, StartXid = null });
        (await h.RunAsync(["db", "verify-restore", "--basebackup", .. OsUserArgs])).AssertOneLineError(1, "recorded no row counts (take base backups with 'db basebackup --count'");
    }

    [Fact]
    public async Task A_base_backup_taken_while_rows_are_inserted_says_so_and_verifies_on_consistency_and_readability()
    {
        await using var h = await StartAsync();
        using var stop = new CancellationTokenSource();
        var writer = Task.Run(async () =>
        {
            await using var conn = new NpgsqlConnection(h.Cluster.ConnectionString("app") + ";Pooling=false");
            await conn.OpenAsync();
            for (var i = 0; !stop.IsCancellationRequested; i++)
            {
                await using var cmd = new NpgsqlCommand($"INSERT INTO tenants (id, name, api_key_hash, api_key_prefix) VALUES (gen_random_uuid(), 'busy-{i}', decode(md5('busy-{i}'), 'hex'), 'vk_b')", conn);
                await cmd.ExecuteNonQueryAsync();
                await Task.Delay(5);
            }
        });
        CliResult backup;
        try
        {
            backup = await h.RunAsync("db", "basebackup", "--count");
        }
        finally
        {
            await stop.CancelAsync();
            await writer;
        }
        backup.AssertSuccess();
        Assert.Contains("the cluster was written to while the backup ran", backup.Stdout);

        var r = await h.RunAsync(["db", "verify-restore", "--basebackup", .. OsUserArgs]);
        r.AssertSuccess();
        Assert.Contains("note: transactions ran while the backup was taken", r.Stdout);
        Assert.Contains("ok   public.datasets: 30 rows (recorded 30), checksum matches", r.Stdout);
        Assert.Contains("verify-restore passed: ", r.Stdout);
        AssertCleanedUp(r.Stdout);
    }

    [Fact]
    public async Task Interrupted_while_the_scratch_server_starts_it_is_stopped_and_its_folder_deleted()
    {
        await using var h = await StartAsync();
        (await h.RunAsync("db", "basebackup", "--count")).AssertSuccess();
        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[Path.Combine(AppContext.BaseDirectory, "varlor-backup.dll"), "db", "verify-restore", "--basebackup", .. OsUserArgs]) info.ArgumentList.Add(a);
        foreach (var (k, v) in h.Env) info.Environment[k] = v;
        using var process = Process.Start(info)!;
        var stderr = process.StandardError.ReadToEndAsync();
        var stdout = new StringBuilder();
        while (await process.StandardOutput.ReadLineAsync() is { } line)
        {
            stdout.AppendLine(line);
            if (line.StartsWith("starting it", StringComparison.Ordinal)) break; // pg_ctl start runs now
        }
        var pid = Path.Combine(ScratchFolder(stdout.ToString()), "data", "postmaster.pid");
        for (var i = 0; i < 200 && !File.Exists(pid); i++) await Task.Delay(50);
        Assert.True(File.Exists(pid), "the scratch server did not start:\n" + stdout);
        Assert.Equal(0, (await ProcessRunner.RunAsync("kill", ["-INT", process.Id.ToString(CultureInfo.InvariantCulture)])).ExitCode); // as Ctrl-C
        stdout.Append(await process.StandardOutput.ReadToEndAsync());
        await process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(60));
        Assert.True(process.ExitCode == 130, $"exit {process.ExitCode}\n{stdout}\n{await stderr}");
        AssertCleanedUp(stdout.ToString());
    }

    [Fact]
    public void A_manifest_of_an_older_version_still_reads_and_cannot_tell_about_writes()
    {
        var old = """
            {"version":1,"system_identifier":"7","server_version":"15.8","pg_basebackup_version":"15.8","timeline":1,"start_lsn":"0/2000028",
             "end_lsn":"0/2000100","started":"2026-11-20T10:00:00+00:00","end_xid":"740","tar_bytes":1,"databases":["postgres"]}
            """u8.ToArray();
        var m = BaseBackupManifest.FromJson(old);
        Assert.Null(m.Contents);
        Assert.Null(m.StartXid);
        Assert.Null(m.WrittenDuringBackup);
        var quiet = m with { StartSnapshot = "740:740:", Contents = [new DatabaseContents { Database = "postgres", Snapshot = "740:740:" }] };
        Assert.False(BaseBackupManifest.FromJson(quiet.ToJson()).WrittenDuringBackup);
        Assert.True((quiet with { Contents = [new DatabaseContents { Database = "postgres", Snapshot = "738:741:738" }] }).WrittenDuringBackup);
    }

    private static async Task<WalHarness> StartAsync()
    {
        var h = await WalHarness.StartAsync("autovacuum = off");
        await h.ExecAsync("CREATE DATABASE app");
        await using var conn = new NpgsqlConnection(h.Cluster.ConnectionString("app") + ";Pooling=false");
        await conn.OpenAsync();
        foreach (var sql in await DbHarness.VarlorSchemaAsync(datasets: 30))
        {
            await using var cmd = new NpgsqlCommand(sql, conn);
            await cmd.ExecuteNonQueryAsync();
        }
        await using (var cmd = new NpgsqlCommand("CREATE UNLOGGED TABLE scratchpad (n int); INSERT INTO scratchpad SELECT generate_series(1, 10)", conn))
            await cmd.ExecuteNonQueryAsync();
        return h;
    }

    /// <summary>Stores the first base backup's tar again, as the latest, with a manifest claiming one more dataset and another checksum of dataset_columns.</summary>
    private static async Task StoreDoctoredAsync(WalHarness h, Func<BaseBackupManifest, BaseBackupManifest> also)
    {
        using var repo = await Repository.Repository.OpenAsync(new LocalBackend(h.Repo), WalHarness.Password, CancellationToken.None);
        await repo.LoadIndexAsync(CancellationToken.None);
        var stored = (await StoredBaseBackup.LoadAllAsync(repo, CancellationToken.None))[0];
        var folder = stored.Snapshot.Paths[0];
        var tar = await SnapshotFile.FindAsync(repo, stored.Snapshot, $"{folder}/{BaseBackup.TarFile}", CancellationToken.None);
        var bytes = new MemoryStream();
        await SnapshotFile.CopyToAsync(repo, tar!, bytes, CancellationToken.None);
        var m = stored.Manifest;
        var doctored = also(m with
        {
            Contents = [.. m.Contents!.Select(c => c with
            {
                Tables = [.. c.Tables.Select(t => t.Name switch
                {
                    "datasets" => t with { Rows = t.Rows + 1 },
                    "dataset_columns" => t with { Checksum = new string('0', 32) },
                    _ => t,
                })],
            })],
        });
        await new StreamArchiver(repo).RunAsync([
            new StreamSource($"{folder}/{BaseBackup.TarFile}", _ => Task.FromResult<Stream>(new MemoryStream(bytes.ToArray()))),
            new StreamSource($"{folder}/{BaseBackup.ManifestFile}", _ => Task.FromResult<Stream>(new MemoryStream(doctored.ToJson()))),
        ], new StreamBackupOptions { Tags = ["basebackup"], Time = DateTimeOffset.UtcNow.AddMinutes(1) }, CancellationToken.None);
    }

    private static string ScratchFolder(string stdout)
    {
        const string Marker = "restoring into scratch folder ";
        var folder = stdout.Split('\n').Single(l => l.StartsWith(Marker, StringComparison.Ordinal))[Marker.Length..].Trim();
        Assert.True(Path.IsPathRooted(folder) && Path.GetFileName(folder).StartsWith("varlor-verify-", StringComparison.Ordinal), folder);
        return folder;
    }

    /// <summary>The scratch folder the output names is gone, and no process runs with it.</summary>
    private static void AssertCleanedUp(string stdout)
    {
        var folder = ScratchFolder(stdout);
        Assert.False(Directory.Exists(folder), $"{folder} was left behind");
        foreach (var proc in Directory.GetDirectories("/proc").Where(d => char.IsAsciiDigit(Path.GetFileName(d)[0])))
        {
            string cmdline;
            try { cmdline = File.ReadAllText(Path.Combine(proc, "cmdline")).Replace('\0', ' '); }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException) { continue; }
            Assert.False(cmdline.Contains(folder, StringComparison.Ordinal), $"process {Path.GetFileName(proc)} still runs in {folder}: {cmdline}");
        }
    }
}
