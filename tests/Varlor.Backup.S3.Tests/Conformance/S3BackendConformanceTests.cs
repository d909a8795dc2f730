using Varlor.Backup.S3.Tests.Support;
using Varlor.Backup.Storage;
using Varlor.Backup.Storage.S3;

namespace Varlor.Backup.S3.Tests.Conformance;

/// <summary>The S3 backend against s3rver, directly (no retries: a fault would show).</summary>
public sealed class S3BackendConformanceTests(S3rverFixture s3) : BackendConformanceTests, IClassFixture<S3rverFixture>
{
    protected override async Task<IStorageBackend> NewBackendAsync()
    {
        var backend = s3.Backend("repo-" + Guid.NewGuid().ToString("N")[..8]);
        await backend.CreateAsync(CancellationToken.None);
        return backend;
    }
}

/// <summary>The same suite through the retry decorator, as the CLI uses it.</summary>
public sealed class RetryingS3BackendConformanceTests(S3rverFixture s3) : BackendConformanceTests, IClassFixture<S3rverFixture>
{
    protected override async Task<IStorageBackend> NewBackendAsync()
    {
        var backend = new RetryingBackend(s3.Backend("retry-" + Guid.NewGuid().ToString("N")[..8]), new RetryOptions { MaxRetries = 2, BaseDelay = TimeSpan.FromMilliseconds(10) });
        await backend.CreateAsync(CancellationToken.None);
        return backend;
    }
}

/// <summary>The same suite through the stack the CLI builds: cache, read-ahead in small windows (reads cross them), retries.</summary>
public sealed class LayeredS3BackendConformanceTests(S3rverFixture s3) : BackendConformanceTests, IClassFixture<S3rverFixture>, IDisposable
{
    private readonly TempDir _cache = new();

    protected override async Task<IStorageBackend> NewBackendAsync()
    {
        var s3Backend = s3.Backend("layered-" + Guid.NewGuid().ToString("N")[..8]);
        var backend = new MetadataCache(new PackReadAhead(new RetryingBackend(s3Backend, new RetryOptions { MaxRetries = 2 }), windowSize: 8192, windows: 4), _cache.Sub(Guid.NewGuid().ToString("N")));
        await backend.CreateAsync(CancellationToken.None);
        return backend;
    }

    public void Dispose() => _cache.Dispose();
}
