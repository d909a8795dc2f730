using Npgsql;

namespace Varlor.Server.Storage;

/// <summary>
/// Run on start (and after a commit whose outcome is unknown): settles every upload journal against the
/// database, then empties tmp/. Files under datasets/ that no journal names are never touched.
/// </summary>
public sealed class StorageRecovery(DatasetStorage storage, NpgsqlDataSource dataSource, ILogger<StorageRecovery> log)
{
    public async Task RecoverAsync(CancellationToken ct)
    {
        storage.EnsureLayout();
        foreach (var journalPath in Directory.EnumerateFiles(storage.TempDirectory, "*.journal"))
            await SettleAsync(journalPath, ct);

        var removed = 0;
        foreach (var entry in Directory.EnumerateFileSystemEntries(storage.TempDirectory))
        {
            if (Directory.Exists(entry)) Directory.Delete(entry, recursive: true);
            else File.Delete(entry);
            removed++;
        }

        if (removed > 0)
            log.LogWarning("Removed {Count} leftover temporary entries from {TempDirectory}", removed, storage.TempDirectory);
    }

    /// <summary>Makes the storage agree with the database for one journal, then deletes the journal.</summary>
    public async Task SettleAsync(string journalPath, CancellationToken ct)
    {
        var journal = DatasetStorage.ReadJournal(journalPath);
        if (journal is not null)
        {
            await using var cmd = dataSource.CreateCommand("SELECT version FROM datasets WHERE id = $1");
            cmd.Parameters.Add(new() { Value = journal.DatasetId });
            var committed = await cmd.ExecuteScalarAsync(ct) is int v && v == journal.Version;
            if (committed)
            {
                if (journal.OldPath is { } old) storage.DeleteFile(old);
                log.LogInformation("Upload of dataset {DatasetId} v{Version} had committed; kept it", journal.DatasetId, journal.Version);
            }
            else
            {
                storage.DeleteFile(journal.NewPath);
                log.LogWarning("Upload of dataset {DatasetId} v{Version} had not committed; removed its file {Path}",
                    journal.DatasetId, journal.Version, journal.NewPath);
            }
        }

        File.Delete(journalPath);
    }
}
