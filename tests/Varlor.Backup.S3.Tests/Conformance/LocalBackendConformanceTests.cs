using Varlor.Backup.S3.Tests.Support;
using Varlor.Backup.Storage;

namespace Varlor.Backup.S3.Tests.Conformance;

public sealed class LocalBackendConformanceTests : BackendConformanceTests, IDisposable
{
    private readonly TempDir _dir = new();

    protected override async Task<IStorageBackend> NewBackendAsync()
    {
        var backend = new LocalBackend(_dir.Sub(Guid.NewGuid().ToString("N")));
        await backend.CreateAsync(CancellationToken.None);
        return backend;
    }

    public void Dispose() => _dir.Dispose();
}
