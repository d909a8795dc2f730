using System.Security.Cryptography;
using System.Text.Json.Serialization;
using Varlor.Backup.Repository.Crypto;

namespace Varlor.Backup.Repository.Keys;

/// <summary>
/// The repository's secret: one key encrypts every object (AES-256-GCM), the other keys the blob identifiers
/// (HMAC-SHA256), so that the storage provider cannot test whether a known file is stored.
/// </summary>
public sealed record MasterKey(
    [property: JsonPropertyName("encryption")] byte[] EncryptionKey,
    [property: JsonPropertyName("id")] byte[] IdKey)
{
    public static MasterKey Generate() => new(RandomNumberGenerator.GetBytes(32), RandomNumberGenerator.GetBytes(32));

    public Aead CreateAead() => new(EncryptionKey);

    /// <summary>The id of a blob: HMAC-SHA256 over its plaintext with the id key.</summary>
    public BlobId ComputeId(ReadOnlySpan<byte> plaintext)
    {
        Span<byte> mac = stackalloc byte[32];
        HMACSHA256.HashData(IdKey, plaintext, mac);
        return BlobId.FromBytes(mac);
    }
}
