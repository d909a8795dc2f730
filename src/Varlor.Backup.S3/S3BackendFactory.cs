namespace Varlor.Backup.Storage.S3;

/// <summary>Builds the backend of an <c>s3:</c> location: the S3 backend (options from VARLOR_S3_*) inside the retry decorator.</summary>
public static class S3BackendFactory
{
    public static RetryingBackend Create(string location, Func<string, string?>? env = null)
    {
        var s3 = new S3Backend(S3Location.Parse(location), S3Options.FromEnvironment(env));
        return new RetryingBackend(s3, RetryOptions.FromEnvironment(env));
    }
}
