using System.Security.Cryptography;

namespace Varlor.Backup.Repository.Crypto;

/// <summary>
/// AES-256-GCM sealing of every stored object: nonce (12 random bytes) || ciphertext || tag (16 bytes).
/// Associated data binds a sealed object to what it claims to be (its kind, and for blobs their id and type),
/// so one valid object cannot be swapped for another.
/// </summary>
public sealed class Aead : IDisposable
{
    public const int NonceSize = 12, TagSize = 16, Overhead = NonceSize + TagSize;
    private readonly AesGcm _gcm;

    public Aead(ReadOnlySpan<byte> key) => _gcm = new AesGcm(key, TagSize);

    public void Seal(ReadOnlySpan<byte> plaintext, Span<byte> destination, ReadOnlySpan<byte> associatedData)
    {
        var nonce = destination[..NonceSize];
        RandomNumberGenerator.Fill(nonce);
        _gcm.Encrypt(nonce, plaintext, destination.Slice(NonceSize, plaintext.Length),
            destination.Slice(NonceSize + plaintext.Length, TagSize), associatedData);
    }

    public byte[] Seal(ReadOnlySpan<byte> plaintext, ReadOnlySpan<byte> associatedData)
    {
        var result = new byte[plaintext.Length + Overhead];
        Seal(plaintext, result, associatedData);
        return result;
    }

    /// <summary>Opens a sealed object; throws <see cref="CorruptDataException"/> when it was altered.</summary>
    public void Open(ReadOnlySpan<byte> sealedData, Span<byte> destination, ReadOnlySpan<byte> associatedData, string what)
    {
        if (sealedData.Length < Overhead || destination.Length != sealedData.Length - Overhead)
            throw new CorruptDataException($"{what}: truncated or malformed ciphertext");
        try
        {
            _gcm.Decrypt(sealedData[..NonceSize], sealedData[NonceSize..^TagSize], sealedData[^TagSize..], destination, associatedData);
        }
        catch (AuthenticationTagMismatchException)
        {
            throw new CorruptDataException($"{what}: authentication failed (the data was altered or damaged)");
        }
    }

    public byte[] Open(ReadOnlySpan<byte> sealedData, ReadOnlySpan<byte> associatedData, string what)
    {
        if (sealedData.Length < Overhead) throw new CorruptDataException($"{what}: truncated ciphertext");
        var result = new byte[sealedData.Length - Overhead];
        Open(sealedData, result, associatedData, what);
        return result;
    }

    public void Dispose() => _gcm.Dispose();
}
