using Varlor.Backup.Engines.Archiving;
using Varlor.Backup.Engines.Restoring;
using Varlor.Backup.Postgres.Common;
using Varlor.Backup.Postgres.Dumps;
using Varlor.Backup.Storage;

namespace Varlor.Backup.Postgres.Tests;

public sealed class VerifyRestoreTests
{
    [Fact]
    public async Task Verify_restore_passes_with_figures_and_drops_its_scratch_database()
    {
        await using var h = await DbHarness.CreateAsync("verify");
        await h.CreateVarlorSchemaAsync(datasets: 30);
        (await h.RunAsync("db", "dump")).AssertSuccess();
        var r = await h.RunAsync("db", "verify-restore");
        r.AssertSuccess();
        Assert.Contains("ok   public.datasets: 30 rows (recorded 30), checksum matches", r.Stdout);
        Assert.Contains("ok   public.dataset_columns: 180 rows (recorded 180), checksum matches", r.Stdout);
        Assert.Contains("verify-restore passed", r.Stdout);
        (await h.RunAsync("check", "--read-data")).AssertSuccess(); // a dump snapshot is an ordinary snapshot
        Assert.Equal(0L, await ScratchDatabasesAsync(h));
    }

    [Fact]
    public async Task Verify_restore_fails_when_the_dump_does_not_restore_what_was_recorded()
    {
        await using var h = await DbHarness.CreateAsync("tamper");
        await h.CreateVarlorSchemaAsync(datasets: 30);
        (await h.RunAsync("db", "dump")).AssertSuccess();

        // A snapshot whose dump restores other content than its manifest recorded (a dump damaged before it was
        // stored, say): the same dump with a manifest claiming one more dataset and another checksum of columns.
        using (var repo = await Repository.Repository.OpenAsync(new LocalBackend(h.Repo), h.Env["VARLOR_PASSWORD"]!, CancellationToken.None))
        {
            var stored = await StoredDump.LoadAsync(repo, "latest", CancellationToken.None);
            var bytes = new MemoryStream();
            await SnapshotFile.CopyToAsync(repo, stored.Dump, bytes, CancellationToken.None);
            var m = stored.Manifest;
            var tampered = m with
            {
                Tables = [.. m.Tables.Select(t => t.Name switch
                {
                    "datasets" => t with { Rows = t.Rows + 1 },
                    "dataset_columns" => t with { Checksum = new string('0', 32) },
                    _ => t,
                })],
            };
            var folder = stored.Snapshot.Paths[0];
            await new StreamArchiver(repo).RunAsync([
                new StreamSource($"{folder}/{DbDumper.DumpFile}", _ => Task.FromResult<Stream>(new MemoryStream(bytes.ToArray()))),
                new StreamSource($"{folder}/{DbDumper.ManifestFile}", _ => Task.FromResult<Stream>(new MemoryStream(tampered.ToJson()))),
            ], new StreamBackupOptions { Tags = ["db"], Time = DateTimeOffset.UtcNow.AddMinutes(1) }, CancellationToken.None);
        }

        var r = await h.RunAsync("db", "verify-restore", "latest");
        r.AssertOneLineError(DbExitCodes.VerificationFailed, "verify-restore failed: 2 of 3 tables differ");
        Assert.Contains("FAIL public.datasets: 30 rows (recorded 31)", r.Stdout);
        Assert.Contains("FAIL public.dataset_columns: 180 rows (recorded 180), checksum", r.Stdout);
        Assert.Equal(0L, await ScratchDatabasesAsync(h));
    }

    // Only this class makes verify-restore scratch databases, and its tests run one after the other.
    private static Task<long> ScratchDatabasesAsync(DbHarness h) =>
        h.ScalarAsync<long>("SELECT count(*) FROM pg_database WHERE datname LIKE 'varlor\\_verify\\_%'", "postgres");
}
