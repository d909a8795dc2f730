using System.Security.Cryptography;

namespace Varlor.Backup.Storage.S3;

/// <summary>
/// Content-MD5 of uploads: the integrity check S3 and its clones know. Not used for security (names and
/// authentication are SHA-256 and AES-GCM).
/// </summary>
internal static class Md5
{
#pragma warning disable CA5351 // Content-MD5 is the protocol's transfer checksum, not a security primitive.
    public static byte[] Of(ReadOnlySpan<byte> data) => MD5.HashData(data);

    public static async Task<byte[]> OfFileAsync(string path, long offset, long length, CancellationToken ct)
    {
        using var md5 = IncrementalHash.CreateHash(HashAlgorithmName.MD5);
#pragma warning restore CA5351
        using var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.Read, FileOptions.Asynchronous);
        var buffer = new byte[(int)Math.Min(length, 1 << 20)];
        for (var done = 0L; done < length;)
        {
            var n = await RandomAccess.ReadAsync(handle, buffer.AsMemory(0, (int)Math.Min(buffer.Length, length - done)), offset + done, ct);
            if (n == 0) throw new IOException($"{path} is shorter than expected");
            md5.AppendData(buffer, 0, n);
            done += n;
        }
        return md5.GetHashAndReset();
    }
}
