using System.Globalization;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Storage.S3;

/// <summary>How an <see cref="S3Backend"/> talks to its store. <see cref="FromEnvironment"/> reads the VARLOR_S3_* variables.</summary>
public sealed record S3Options
{
    public const int MiB = 1024 * 1024;

    /// <summary>Signing region (AWS_REGION / AWS_DEFAULT_REGION / VARLOR_S3_REGION); most other stores accept any.</summary>
    public string Region { get; init; } = "us-east-1";
    /// <summary>Path-style addressing (host/bucket/key) instead of bucket.host; null: on for any endpoint but AWS's.</summary>
    public bool? ForcePathStyle { get; init; }
    /// <summary>Storage class of new objects (STANDARD, STANDARD_IA, ...); null: the bucket's default.</summary>
    public string? StorageClass { get; init; }
    /// <summary>Server-side encryption: null, "AES256" or "aws:kms" (then <see cref="SseKmsKeyId"/> may name the key).</summary>
    public string? ServerSideEncryption { get; init; }
    public string? SseKmsKeyId { get; init; }
    /// <summary>
    /// aws-chunked uploads (SigV4 streaming). Some S3-compatible stores (s3rver among them) store the chunk frames
    /// inside the object: turn this off for them.
    /// </summary>
    public bool UseChunkEncoding { get; init; } = true;
    /// <summary>
    /// Files at least this large are uploaded in parts. Above the pack size (16 MiB), so that a pack costs one PUT
    /// rather than four requests (create, two parts, complete): parallelism comes from several packs at once.
    /// </summary>
    public long MultipartThreshold { get; init; } = 32 * MiB;
    public int PartSize { get; init; } = 8 * MiB;
    /// <summary>Requests in flight at once, over all operations of this backend.</summary>
    public int MaxParallelRequests { get; init; } = 8;
    /// <summary>
    /// Packs a backup (or copy, prune) uploads at once while it fills the next ones (VARLOR_S3_UPLOADS). Each waits
    /// in the spool folder until stored: disk, not memory. At most <see cref="MaxParallelRequests"/>.
    /// </summary>
    public int PackUploads { get; init; } = 4;
    /// <summary>Time one HTTP request may take before it is abandoned (and retried by the retry decorator).</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromMinutes(2);
    /// <summary>Local folder where packs are assembled before upload; null: a folder under the system's temp folder.</summary>
    public string? SpoolFolder { get; init; }

    public static S3Options FromEnvironment(Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        var o = new S3Options();
        var region = env("VARLOR_S3_REGION") ?? env("AWS_REGION") ?? env("AWS_DEFAULT_REGION");
        if (!string.IsNullOrWhiteSpace(region)) o = o with { Region = region };
        if (env("VARLOR_S3_PATH_STYLE") is { } ps) o = o with { ForcePathStyle = Bool("VARLOR_S3_PATH_STYLE", ps) };
        if (env("VARLOR_S3_CHUNK_ENCODING") is { } ce) o = o with { UseChunkEncoding = Bool("VARLOR_S3_CHUNK_ENCODING", ce) };
        if (env("VARLOR_S3_STORAGE_CLASS") is { Length: > 0 } sc) o = o with { StorageClass = sc };
        if (env("VARLOR_S3_SSE") is { Length: > 0 } sse)
        {
            if (sse is not ("AES256" or "aws:kms")) throw new VarlorException($"VARLOR_S3_SSE='{sse}': use AES256 or aws:kms");
            o = o with { ServerSideEncryption = sse, SseKmsKeyId = env("VARLOR_S3_SSE_KMS_KEY_ID") };
        }
        if (env("VARLOR_S3_CONNECTIONS") is { } cn) o = o with { MaxParallelRequests = Int("VARLOR_S3_CONNECTIONS", cn, 1, 128) };
        if (env("VARLOR_S3_UPLOADS") is { } up) o = o with { PackUploads = Int("VARLOR_S3_UPLOADS", up, 1, 64) };
        o = o with { PackUploads = Math.Min(o.PackUploads, o.MaxParallelRequests) };
        if (env("VARLOR_S3_TIMEOUT_SECONDS") is { } ts) o = o with { RequestTimeout = TimeSpan.FromSeconds(Int("VARLOR_S3_TIMEOUT_SECONDS", ts, 1, 3600)) };
        if (env("VARLOR_SPOOL") is { Length: > 0 } spool) o = o with { SpoolFolder = spool };
        return o;
    }

    internal static bool Bool(string name, string value) => value.Trim().ToLowerInvariant() switch
    {
        "1" or "true" or "yes" or "on" => true,
        "0" or "false" or "no" or "off" => false,
        _ => throw new VarlorException($"{name}='{value}': use true or false"),
    };

    internal static int Int(string name, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n : throw new VarlorException($"{name}='{value}': use a whole number from {min} to {max}");
}
