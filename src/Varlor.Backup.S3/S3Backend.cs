using System.Net;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Storage.S3;

/// <summary>
/// A repository under a prefix of an S3 bucket, with the same names as on disk (<c>config</c>, <c>keys/…</c>,
/// <c>data/xx/…</c>, …). A PUT is atomic (the object appears whole or not at all), so no temporary objects are
/// needed; packs are assembled in a local spool folder and uploaded in parts when large. Every request is
/// counted (<see cref="Requests"/>), bounded in number (<see cref="S3Options.MaxParallelRequests"/>), and not
/// retried here: <see cref="RetryingBackend"/> does that.
/// </summary>
public sealed partial class S3Backend : IStorageBackend, IFileUploader, IDisposable
{
    private readonly AmazonS3Client _client;
    private readonly SemaphoreSlim _gate;

    public S3Backend(S3Location location, S3Options options, AWSCredentials? credentials = null)
    {
        Where = location;
        Options = options;
        var config = new AmazonS3Config
        {
            ServiceURL = location.Endpoint.ToString(),
            ForcePathStyle = options.ForcePathStyle ?? !location.Endpoint.Host.EndsWith(".amazonaws.com", StringComparison.OrdinalIgnoreCase),
            AuthenticationRegion = options.Region,
            MaxErrorRetry = 0, // one retry policy, RetryingBackend's
            Timeout = options.RequestTimeout,
            // Content-MD5 is sent on every upload (below); our own content hashes verify every download.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,
            MaxConnectionsPerServer = options.MaxParallelRequests,
        };
        _client = credentials is null ? new AmazonS3Client(config) : new AmazonS3Client(credentials, config);
        _gate = new SemaphoreSlim(options.MaxParallelRequests);
        // One spool folder per repository: prune (under an exclusive lock) may then clear it safely.
        var tag = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(location.ToString())))[..16];
        SpoolFolder = Path.Combine(options.SpoolFolder ?? Path.Combine(Path.GetTempPath(), "varlor-spool"), tag);
    }

    public S3Location Where { get; }
    public S3Options Options { get; }
    public RequestCounter Requests { get; } = new();
    public string Location => Where.ToString();
    public string SpoolFolder { get; }
    public int PackUploads => Options.PackUploads;

    internal string KeyOf(FileKind kind, string name)
    {
        if (name.Length < 2 || name.Contains('/') || name.Contains('\0') || name.StartsWith('.'))
            throw new ArgumentException($"invalid object name '{name}'", nameof(name));
        return kind switch
        {
            FileKind.Config => Where.Key("config"),
            FileKind.Pack => Where.Key($"data/{name[..2]}/{name}"),
            _ => Where.Key($"{kind.Folder()}/{name}"),
        };
    }

    /// <summary>Runs one request: bounded, counted, and with the store's error answers turned into <see cref="S3StorageException"/>.</summary>
    private async Task<T> SendAsync<T>(RequestKind kind, string operation, string key, Func<CancellationToken, Task<T>> request, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            Requests.Count(kind);
            return await request(ct);
        }
        catch (AmazonS3Exception e)
        {
            throw S3StorageException.From(e, operation, key);
        }
        catch (Amazon.Runtime.CredentialManagement.ProfileNotFoundException e)
        {
            throw new VarlorException($"S3 credentials: {S3StorageException.OneLine(e.Message)} (AWS_PROFILE names a profile of ~/.aws/credentials or of AWS_SHARED_CREDENTIALS_FILE)", ExitCodes.Failure, e);
        }
        catch (AmazonClientException e) when (e.Message.Contains("credentials", StringComparison.OrdinalIgnoreCase))
        {
            throw new VarlorException("no S3 credentials found: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE, or AWS_SHARED_CREDENTIALS_FILE", ExitCodes.Failure, e);
        }
        finally
        {
            _gate.Release();
        }
    }

    private static bool IsNotFound(S3StorageException e) => e.Status == HttpStatusCode.NotFound || e.ErrorCode is "NoSuchKey" or "NotFound";

    public async Task<bool> ExistsAsync(FileKind kind, string name, CancellationToken ct) => await SizeAsync(kind, name, ct) >= 0;

    public async Task<long> SizeAsync(FileKind kind, string name, CancellationToken ct)
    {
        var key = KeyOf(kind, name);
        try
        {
            var meta = await SendAsync(RequestKind.Head, "HEAD", key,
                t => _client.GetObjectMetadataAsync(new GetObjectMetadataRequest { BucketName = Where.Bucket, Key = key }, t), ct);
            return meta.ContentLength;
        }
        catch (S3StorageException e) when (IsNotFound(e) || e.ErrorCode == "NoSuchBucket")
        {
            return -1;
        }
    }

    public async Task SaveAsync(FileKind kind, string name, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        var key = KeyOf(kind, name);
        var bytes = MemoryMarshal.TryGetArray(content, out var segment) ? segment : new ArraySegment<byte>(content.ToArray());
        var md5 = Md5.Of(content.Span);
        await PutAsync(key, () => new MemoryStream(bytes.Array!, bytes.Offset, bytes.Count, writable: false), md5, ct);
    }

    private async Task PutAsync(string key, Func<Stream> body, byte[] md5, CancellationToken ct)
    {
        var response = await SendAsync(RequestKind.Put, "PUT", key, async t =>
        {
            await using var stream = body();
            var request = new PutObjectRequest
            {
                BucketName = Where.Bucket, Key = key, InputStream = stream, AutoCloseStream = false,
                MD5Digest = Convert.ToBase64String(md5), UseChunkEncoding = Options.UseChunkEncoding,
            };
            ApplyStorageOptions(request);
            return await _client.PutObjectAsync(request, t);
        }, ct);
        await VerifyETagAsync(key, response.ETag, md5, ct);
    }

    /// <summary>
    /// A plain PUT's ETag is the MD5 of what the store kept. A store that ignores Content-MD5 (or keeps aws-chunked
    /// framing inside the object) is caught here rather than at the next read.
    /// </summary>
    private async Task VerifyETagAsync(string key, string? etag, byte[] md5, CancellationToken ct)
    {
        if (ETagMatches(etag, md5)) return;
        await DeleteKeyAsync(key, CancellationToken.None);
        throw WrongBytes(key, etag);
    }

    /// <summary>False only when the ETag is an MD5 (plain PUT or part, no SSE-KMS) that differs from the one sent.</summary>
    private bool ETagMatches(string? etag, byte[] md5)
    {
        if (Options.ServerSideEncryption == "aws:kms" || etag is null) return true;
        var hex = etag.Trim('"');
        if (hex.Length != 32 || !hex.All(char.IsAsciiHexDigit)) return true; // not an MD5 ETag (multipart, SSE-C...)
        return string.Equals(hex, Convert.ToHexString(md5), StringComparison.OrdinalIgnoreCase);
    }

    private static VarlorException WrongBytes(string what, string? etag) =>
        new($"S3 PUT {what}: the store kept different bytes than were sent (ETag {etag?.Trim('"')}); " +
            "if it stores aws-chunked frames, set VARLOR_S3_CHUNK_ENCODING=false");

    private void ApplyStorageOptions(PutObjectRequest r)
    {
        if (Options.StorageClass is { } sc) r.StorageClass = S3StorageClass.FindValue(sc);
        if (Options.ServerSideEncryption is { } sse)
        {
            r.ServerSideEncryptionMethod = ServerSideEncryptionMethod.FindValue(sse);
            if (Options.SseKmsKeyId is { } kms) r.ServerSideEncryptionKeyManagementServiceKeyId = kms;
        }
    }

    private void ApplyStorageOptions(InitiateMultipartUploadRequest r)
    {
        if (Options.StorageClass is { } sc) r.StorageClass = S3StorageClass.FindValue(sc);
        if (Options.ServerSideEncryption is { } sse)
        {
            r.ServerSideEncryptionMethod = ServerSideEncryptionMethod.FindValue(sse);
            if (Options.SseKmsKeyId is { } kms) r.ServerSideEncryptionKeyManagementServiceKeyId = kms;
        }
    }

    public async Task SaveFileAsync(FileKind kind, string name, string localPath, CancellationToken ct)
    {
        try
        {
            await UploadFileAsync(kind, name, localPath, ct);
        }
        finally
        {
            File.Delete(localPath);
        }
    }

    public async Task UploadFileAsync(FileKind kind, string name, string localPath, CancellationToken ct)
    {
        var key = KeyOf(kind, name);
        var size = new FileInfo(localPath).Length;
        if (size >= Options.MultipartThreshold && size > Options.PartSize)
        {
            await UploadMultipartAsync(key, localPath, size, ct);
            return;
        }
        var md5 = await Md5.OfFileAsync(localPath, 0, size, ct);
        await PutAsync(key, () => new FileStream(localPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16, useAsync: true), md5, ct);
    }

    public async Task<byte[]> ReadAsync(FileKind kind, string name, CancellationToken ct)
    {
        var key = KeyOf(kind, name);
        try
        {
            return await SendAsync(RequestKind.Get, "GET", key, async t =>
            {
                using var response = await _client.GetObjectAsync(new GetObjectRequest { BucketName = Where.Bucket, Key = key }, t);
                var bytes = new byte[response.ContentLength];
                var n = await ReadFullyAsync(response.ResponseStream, bytes, t);
                if (n != bytes.Length) throw new TruncatedResponseException(key, n, bytes.Length);
                return bytes;
            }, ct);
        }
        catch (S3StorageException e) when (IsNotFound(e))
        {
            throw new FileNotFoundException($"{key} does not exist in {Location}", key, e);
        }
    }

    public async Task<int> ReadRangeAsync(FileKind kind, string name, long offset, Memory<byte> buffer, CancellationToken ct)
    {
        if (buffer.Length == 0) return 0;
        var key = KeyOf(kind, name);
        try
        {
            return await SendAsync(RequestKind.Get, "GET", key, async t =>
            {
                var request = new GetObjectRequest { BucketName = Where.Bucket, Key = key, ByteRange = new ByteRange(offset, offset + buffer.Length - 1) };
                using var response = await _client.GetObjectAsync(request, t);
                var stream = response.ResponseStream;
                var sent = response.ContentLength;
                if (response.HttpStatusCode == HttpStatusCode.OK && offset > 0)
                {
                    // A store that ignored the range sent the whole object: skip to the offset.
                    var skip = new byte[Math.Min(offset, 1 << 20)];
                    for (var skipped = 0L; skipped < offset;)
                    {
                        var k = await stream.ReadAsync(skip.AsMemory(0, (int)Math.Min(skip.Length, offset - skipped)), t);
                        if (k == 0) return 0;
                        skipped += k;
                    }
                    sent -= offset;
                }
                var want = (int)Math.Min(buffer.Length, Math.Max(sent, 0));
                var n = await ReadFullyAsync(stream, buffer[..want], t);
                if (n != want) throw new TruncatedResponseException(key, n, want);
                return n;
            }, ct);
        }
        catch (S3StorageException e) when (IsNotFound(e))
        {
            throw new FileNotFoundException($"{key} does not exist in {Location}", key, e);
        }
        catch (S3StorageException e) when (e.Status == HttpStatusCode.RequestedRangeNotSatisfiable)
        {
            return 0; // offset at or past the end: the file is shorter
        }
    }

    private static async Task<int> ReadFullyAsync(Stream stream, Memory<byte> buffer, CancellationToken ct)
    {
        var total = 0;
        while (total < buffer.Length)
        {
            var n = await stream.ReadAsync(buffer[total..], ct);
            if (n == 0) break;
            total += n;
        }
        return total;
    }

    public async IAsyncEnumerable<(string Name, long Size)> ListAsync(FileKind kind, [EnumeratorCancellation] CancellationToken ct)
    {
        if (kind == FileKind.Config)
        {
            var size = await SizeAsync(kind, "config", ct);
            if (size >= 0) yield return ("config", size);
            yield break;
        }
        var prefix = Where.Key(kind.Folder() + "/");
        string? token = null;
        do
        {
            var request = new ListObjectsV2Request { BucketName = Where.Bucket, Prefix = prefix, ContinuationToken = token, MaxKeys = 1000 };
            ListObjectsV2Response page;
            try
            {
                page = await SendAsync(RequestKind.List, "LIST", prefix, t => _client.ListObjectsV2Async(request, t), ct);
            }
            catch (S3StorageException e) when (e.ErrorCode == "NoSuchBucket")
            {
                yield break;
            }
            foreach (var o in page.S3Objects ?? [])
            {
                var rest = o.Key[prefix.Length..];
                var slash = rest.IndexOf('/', StringComparison.Ordinal);
                var name = kind == FileKind.Pack && slash == 2 ? rest[3..] : rest;
                if (name.Length == 0 || name.Contains('/') || name.StartsWith('.')) continue;
                yield return (name, o.Size ?? 0);
            }
            token = page.IsTruncated == true ? page.NextContinuationToken : null;
        }
        while (token is not null);
    }

    public Task DeleteAsync(FileKind kind, string name, CancellationToken ct) => DeleteKeyAsync(KeyOf(kind, name), ct);

    private Task DeleteKeyAsync(string key, CancellationToken ct) =>
        SendAsync(RequestKind.Delete, "DELETE", key, t => _client.DeleteObjectAsync(new DeleteObjectRequest { BucketName = Where.Bucket, Key = key }, t), ct);

    public async Task CreateAsync(CancellationToken ct)
    {
        var prefix = Where.Key("");
        ListObjectsV2Response? first;
        try
        {
            first = await SendAsync(RequestKind.List, "LIST", prefix,
                t => _client.ListObjectsV2Async(new ListObjectsV2Request { BucketName = Where.Bucket, Prefix = prefix, MaxKeys = 1 }, t), ct);
        }
        catch (S3StorageException e) when (e.ErrorCode == "NoSuchBucket")
        {
            first = null;
        }
        if (first is null)
        {
            try
            {
                await SendAsync(RequestKind.Other, "CREATE BUCKET", Where.Bucket,
                    t => _client.PutBucketAsync(new PutBucketRequest { BucketName = Where.Bucket }, t), ct);
            }
            catch (S3StorageException e) when (e.ErrorCode is "BucketAlreadyOwnedByYou")
            {
            }
            return;
        }
        if (first.S3Objects is { Count: > 0 })
            throw new VarlorException($"{Location} is not empty; choose an empty bucket or a new prefix for the repository");
    }

    public async Task<int> CleanupTempFilesAsync(TimeSpan minAge, CancellationToken ct)
    {
        var removed = 0;
        var cutoff = DateTime.UtcNow - minAge;
        if (Directory.Exists(SpoolFolder))
        {
            foreach (var f in Directory.EnumerateFiles(SpoolFolder, ".tmp-*"))
            {
                if (File.GetLastWriteTimeUtc(f) > cutoff) continue;
                try { File.Delete(f); removed++; } catch (IOException) { }
            }
        }
        return removed + await AbortStaleUploadsAsync(cutoff, ct);
    }

    public void Dispose()
    {
        _client.Dispose();
        _gate.Dispose();
    }
}

/// <summary>The store sent fewer bytes than it announced (connection cut): transient, unlike a short file.</summary>
public sealed class TruncatedResponseException(string key, long got, long expected)
    : IOException($"S3 GET {key}: the response ended after {got} of {expected} bytes");
