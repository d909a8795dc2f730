namespace Varlor.Backup.Storage;

/// <summary>
/// A backend that can store a local file without consuming it, so that a retry decorator can send it again:
/// <see cref="IStorageBackend.SaveFileAsync"/> of such a backend is this followed by deleting the file.
/// </summary>
public interface IFileUploader
{
    Task UploadFileAsync(FileKind kind, string name, string localPath, CancellationToken ct);
}
