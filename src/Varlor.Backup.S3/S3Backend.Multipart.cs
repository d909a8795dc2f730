using Amazon.S3.Model;

namespace Varlor.Backup.Storage.S3;

public sealed partial class S3Backend
{
    /// <summary>
    /// Uploads a large file in parts, in parallel (bounded by the request gate), each with its Content-MD5. The
    /// object exists only once the upload is completed; a failed upload is aborted (best effort: stores that do
    /// not support aborting keep invisible parts, which <see cref="CleanupTempFilesAsync"/> aborts later).
    /// </summary>
    private async Task UploadMultipartAsync(string key, string localPath, long size, CancellationToken ct)
    {
        var init = new InitiateMultipartUploadRequest { BucketName = Where.Bucket, Key = key };
        ApplyStorageOptions(init);
        var upload = await SendAsync(RequestKind.Other, "CREATE MULTIPART", key, t => _client.InitiateMultipartUploadAsync(init, t), ct);
        try
        {
            var partCount = (int)((size + Options.PartSize - 1) / Options.PartSize);
            var parts = await Task.WhenAll(Enumerable.Range(1, partCount).Select(async number =>
            {
                var offset = (long)(number - 1) * Options.PartSize;
                var length = Math.Min(Options.PartSize, size - offset);
                var md5 = await Md5.OfFileAsync(localPath, offset, length, ct);
                var response = await SendAsync(RequestKind.Put, "PUT PART", key, t => _client.UploadPartAsync(new UploadPartRequest
                {
                    BucketName = Where.Bucket, Key = key, UploadId = upload.UploadId, PartNumber = number,
                    FilePath = localPath, FilePosition = offset, PartSize = length,
                    MD5Digest = Convert.ToBase64String(md5), UseChunkEncoding = Options.UseChunkEncoding,
                }, t), ct);
                if (!ETagMatches(response.ETag, md5)) throw WrongBytes($"{key} (part {number})", response.ETag);
                return new PartETag(number, response.ETag);
            }));
            await SendAsync(RequestKind.Other, "COMPLETE MULTIPART", key, t => _client.CompleteMultipartUploadAsync(new CompleteMultipartUploadRequest
            {
                BucketName = Where.Bucket, Key = key, UploadId = upload.UploadId, PartETags = [.. parts],
            }, t), ct);
        }
        catch
        {
            await TryAbortAsync(key, upload.UploadId);
            throw;
        }
    }

    private async Task TryAbortAsync(string key, string uploadId)
    {
        try
        {
            await SendAsync(RequestKind.Other, "ABORT MULTIPART", key, t => _client.AbortMultipartUploadAsync(new AbortMultipartUploadRequest
            {
                BucketName = Where.Bucket, Key = key, UploadId = uploadId,
            }, t), CancellationToken.None);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // The store is failing or does not support aborting: the parts stay invisible, and are aborted by a later cleanup.
        }
    }

    /// <summary>Aborts multipart uploads under the prefix started before <paramref name="cutoff"/> (left by killed processes).</summary>
    private async Task<int> AbortStaleUploadsAsync(DateTime cutoff, CancellationToken ct)
    {
        ListMultipartUploadsResponse listing;
        try
        {
            listing = await SendAsync(RequestKind.List, "LIST MULTIPART", Where.Key(""), t => _client.ListMultipartUploadsAsync(
                new ListMultipartUploadsRequest { BucketName = Where.Bucket, Prefix = Where.Key("") }, t), ct);
        }
        catch (S3StorageException e) when (!e.IsTransient || (int)e.Status == 501)
        {
            return 0; // not supported by this store (s3rver)
        }
        var aborted = 0;
        foreach (var u in listing.MultipartUploads ?? [])
        {
            if (u.Initiated is { } started && started.ToUniversalTime() > cutoff) continue;
            await TryAbortAsync(u.Key, u.UploadId);
            aborted++;
        }
        return aborted;
    }
}
