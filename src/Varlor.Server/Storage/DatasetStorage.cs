using System.Text.Json;
using Varlor.Server.Configuration;

namespace Varlor.Server.Storage;

/// <summary>
/// The storage root holds datasets/&lt;tenant_id&gt;/&lt;dataset_id&gt;/v&lt;version&gt;.&lt;format&gt; and tmp/,
/// where uploads are written before they are renamed into place. Everything in tmp/ is disposable.
/// </summary>
public sealed class DatasetStorage(ServerSettings settings)
{
    public string Root { get; } = settings.StorageRoot;
    public string DatasetsDirectory => Path.Combine(Root, "datasets");
    public string TempDirectory => Path.Combine(Root, "tmp");

    public void EnsureLayout()
    {
        try
        {
            Directory.CreateDirectory(DatasetsDirectory);
            Directory.CreateDirectory(TempDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot create the storage folders under {Root} (VARLOR_STORAGE): {e.Message}", e);
        }
    }

    public static string RelativePath(Guid tenantId, Guid datasetId, int version, string format) =>
        $"datasets/{tenantId:D}/{datasetId:D}/v{version}.{format}";

    public static string RelativeDirectory(Guid tenantId, Guid datasetId) => $"datasets/{tenantId:D}/{datasetId:D}";

    /// <summary>Maps a path stored in the database to a full path, refusing anything that would leave datasets/.</summary>
    public string FullPath(string relative)
    {
        var full = Path.GetFullPath(Path.Combine(Root, relative));
        var inside = Path.GetFullPath(DatasetsDirectory) + Path.DirectorySeparatorChar;
        return full.StartsWith(inside, StringComparison.Ordinal)
            ? full
            : throw new InvalidOperationException($"stored path '{relative}' points outside {DatasetsDirectory}");
    }

    public FileStream CreateTempFile(out string path)
    {
        path = Path.Combine(TempDirectory, $"upload-{Guid.NewGuid():N}.part");
        return new FileStream(path, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.ReadWrite,
            Share = FileShare.Read,
            BufferSize = 1 << 16,
            Options = FileOptions.Asynchronous,
        });
    }

    /// <summary>Renames a finished temporary file to its place under datasets/ and flushes both directories.</summary>
    public void Promote(string tempPath, string relative)
    {
        var target = FullPath(relative);
        var dir = Path.GetDirectoryName(target)!;
        var created = !Directory.Exists(dir);
        Directory.CreateDirectory(dir);
        File.Move(tempPath, target, overwrite: false);
        Durability.FlushDirectory(dir);
        Durability.FlushDirectory(TempDirectory);
        if (created) Durability.FlushDirectory(Path.GetDirectoryName(dir)!);
    }

    public void DeleteFile(string relative)
    {
        var full = FullPath(relative);
        File.Delete(full);
        DeleteDirectoryIfEmpty(Path.GetDirectoryName(full)!);
    }

    public void DeleteDirectoryIfEmpty(string dir)
    {
        // The tenant directory is left alone even when it empties; only the dataset's own directory goes.
        if (Directory.Exists(dir) && !Directory.EnumerateFileSystemEntries(dir).Any())
            Directory.Delete(dir);
    }

    /// <summary>Moves a dataset's whole directory into tmp/ (one rename), to be deleted once its rows are gone.</summary>
    public string? MoveDatasetToTrash(Guid tenantId, Guid datasetId)
    {
        var dir = FullPath(RelativeDirectory(tenantId, datasetId));
        if (!Directory.Exists(dir)) return null;
        var trash = Path.Combine(TempDirectory, $"purge-{datasetId:N}-{Guid.NewGuid():N}");
        Directory.Move(dir, trash);
        return trash;
    }

    // ---- journal: one small file per upload between "file renamed into place" and "transaction committed" ----

    public string WriteJournal(UploadJournal journal)
    {
        var path = Path.Combine(TempDirectory, $"{journal.DatasetId:N}-v{journal.Version}.journal");
        using (var fs = new FileStream(path, FileMode.Create, FileAccess.Write, FileShare.None))
        {
            JsonSerializer.Serialize(fs, journal);
            Durability.FlushFile(fs);
        }

        Durability.FlushDirectory(TempDirectory);
        return path;
    }

    public static UploadJournal? ReadJournal(string path)
    {
        try
        {
            return JsonSerializer.Deserialize<UploadJournal>(File.ReadAllBytes(path));
        }
        catch (JsonException)
        {
            return null; // torn write: the upload never got as far as the rename, so it has nothing to undo
        }
    }
}

/// <summary>What an upload in flight will do: NewPath becomes live if the database reaches Version; OldPath is then dropped.</summary>
public sealed record UploadJournal(Guid DatasetId, int Version, string NewPath, string? OldPath);
