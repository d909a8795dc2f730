namespace Varlor.Backup.Storage.S3;

/// <summary>The retry budget of <see cref="RetryingBackend"/>: exponential backoff with jitter.</summary>
public sealed record RetryOptions
{
    /// <summary>Retries after the first attempt (so MaxRetries + 1 attempts in all).</summary>
    public int MaxRetries { get; init; } = 8;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(500);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);
    /// <summary>Time one attempt of one operation may take (a 16 MiB pack on a slow link needs minutes).</summary>
    public TimeSpan AttemptTimeout { get; init; } = TimeSpan.FromMinutes(5);

    public static RetryOptions FromEnvironment(Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        var o = new RetryOptions();
        if (env("VARLOR_S3_RETRIES") is { } r) o = o with { MaxRetries = S3Options.Int("VARLOR_S3_RETRIES", r, 0, 100) };
        if (env("VARLOR_S3_RETRY_DELAY_MS") is { } d) o = o with { BaseDelay = TimeSpan.FromMilliseconds(S3Options.Int("VARLOR_S3_RETRY_DELAY_MS", d, 1, 600_000)) };
        if (env("VARLOR_S3_ATTEMPT_TIMEOUT_SECONDS") is { } t) o = o with { AttemptTimeout = TimeSpan.FromSeconds(S3Options.Int("VARLOR_S3_ATTEMPT_TIMEOUT_SECONDS", t, 1, 86_400)) };
        return o;
    }
}
