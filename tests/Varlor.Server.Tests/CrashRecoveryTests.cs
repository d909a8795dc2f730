using System.Net;
using System.Text.Json;
using Varlor.Server.Storage;

namespace Varlor.Server.Tests;

/// <summary>What a crash can leave behind, planted by hand, and what the next start makes of it.</summary>
public sealed class CrashRecoveryTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task Start_settles_journals_and_empties_tmp()
    {
        var (tenant, _, client) = await server.AddTenantAsync();
        var committed = await HttpAssert.JsonAsync<Dataset>(
            await client.PostAsync("/api/v1/datasets", Multipart.File("kept.csv", "a\n1\n")), HttpStatusCode.Created);
        await server.StopAsync();

        var storage = server.StorageRoot;
        var tmp = Path.Combine(storage, "tmp");
        // 1. A half-received upload.
        await File.WriteAllTextAsync(Path.Combine(tmp, "upload-0123.part"), "a,b\n1,");
        // 2. An upload renamed into place whose transaction never committed: file without a row.
        var orphanId = Guid.NewGuid();
        var orphanPath = DatasetStorage.RelativePath(tenant.Id, orphanId, 1, "csv");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.Combine(storage, orphanPath))!);
        await File.WriteAllTextAsync(Path.Combine(storage, orphanPath), "a\n9\n");
        await WriteJournal(new UploadJournal(orphanId, 1, orphanPath, null));
        // 3. A re-upload that committed (v1 -> v2 is in the database) but died before removing the old file.
        var v2Path = DatasetStorage.RelativePath(tenant.Id, committed.Id, 2, "csv");
        var v1Path = DatasetStorage.RelativePath(tenant.Id, committed.Id, 1, "csv");
        await File.WriteAllTextAsync(Path.Combine(storage, v2Path), "a\n2\n");
        await server.Database.ScalarAsync("UPDATE datasets SET version = 2, storage_path = $1 WHERE id = $2", v2Path, committed.Id);
        await WriteJournal(new UploadJournal(committed.Id, 2, v2Path, v1Path));
        // 4. A torn journal (crash while writing it): nothing was renamed yet.
        await File.WriteAllTextAsync(Path.Combine(tmp, $"{Guid.NewGuid():N}-v1.journal"), "{\"DatasetId\":");
        // 5. A purge interrupted after moving the directory away.
        Directory.CreateDirectory(Path.Combine(tmp, "purge-x"));
        await File.WriteAllTextAsync(Path.Combine(tmp, "purge-x", "v1.csv"), "old");

        await server.StartAsync();

        Assert.Empty(Directory.EnumerateFileSystemEntries(tmp));
        Assert.False(File.Exists(Path.Combine(storage, orphanPath)));
        Assert.False(Directory.Exists(Path.GetDirectoryName(Path.Combine(storage, orphanPath))));
        Assert.Equal([v2Path], server.StoredFiles().Where(f => f.Contains(tenant.Id.ToString(), StringComparison.Ordinal)));
        client = server.Client(client.DefaultRequestHeaders.GetValues("X-Api-Key").Single());
        Assert.Equal("a\n2\n", await client.GetStringAsync($"/api/v1/datasets/{committed.Id}/file"));
    }

    private async Task WriteJournal(UploadJournal journal) =>
        await File.WriteAllTextAsync(Path.Combine(server.StorageRoot, "tmp", $"{journal.DatasetId:N}-v{journal.Version}.journal"),
            JsonSerializer.Serialize(journal));
}
