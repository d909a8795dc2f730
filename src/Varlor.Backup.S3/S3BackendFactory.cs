namespace Varlor.Backup.Storage.S3;

/// <summary>
/// Builds the backend of an <c>s3:</c> location: the S3 backend (options from VARLOR_S3_*) inside the retry
/// decorator, inside the local metadata cache (unless VARLOR_NO_CACHE is set).
/// </summary>
public static class S3BackendFactory
{
    public static IStorageBackend Create(string location, out S3Backend s3, Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        s3 = new S3Backend(S3Location.Parse(location), S3Options.FromEnvironment(env));
        IStorageBackend backend = new RetryingBackend(s3, RetryOptions.FromEnvironment(env));
        if (env("VARLOR_NO_CACHE") is not { Length: > 0 }) backend = new MetadataCache(backend, MetadataCache.DefaultFolder(s3.Location, env));
        return backend;
    }
}
