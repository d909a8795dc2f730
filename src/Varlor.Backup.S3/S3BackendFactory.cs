namespace Varlor.Backup.Storage.S3;

/// <summary>
/// Builds the backend of an <c>s3:</c> location, from the inside out: the S3 backend (options from VARLOR_S3_*),
/// the retry decorator, pack reads in windows (VARLOR_S3_READ_AHEAD_MIB, 4; 0 turns it off), and the local
/// metadata cache (unless VARLOR_NO_CACHE is set).
/// </summary>
public static class S3BackendFactory
{
    public static IStorageBackend Create(string location, out S3Backend s3, Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        s3 = new S3Backend(S3Location.Parse(location), S3Options.FromEnvironment(env));
        IStorageBackend backend = new RetryingBackend(s3, RetryOptions.FromEnvironment(env));
        var window = env("VARLOR_S3_READ_AHEAD_MIB") is { } w ? S3Options.Int("VARLOR_S3_READ_AHEAD_MIB", w, 0, 64) : 4;
        if (window > 0) backend = new PackReadAhead(backend, window * S3Options.MiB);
        if (env("VARLOR_NO_CACHE") is not { Length: > 0 }) backend = new MetadataCache(backend, MetadataCache.DefaultFolder(s3.Location, env));
        return backend;
    }
}
