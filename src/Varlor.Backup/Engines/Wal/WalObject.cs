using System.Buffers.Binary;
using System.Security.Cryptography;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Crypto;

namespace Varlor.Backup.Engines.Wal;

/// <summary>
/// One archived WAL file as stored under wal/NAME: sealed with the master key (AES-256-GCM, associated data
/// "varlor:wal:" + NAME, so a stored segment cannot be passed off under another name). The plaintext is a fixed
/// 56-byte header — "VWAL", version, flags (bit 0: zstd), 2 reserved bytes, original length (u64), SHA-256 of the
/// original (32 bytes), push time in Unix milliseconds (i64), all little-endian — followed by the payload.
/// WAL is stored whole rather than chunked into packs: segments hardly deduplicate, and a fetch during
/// recovery must not need the index.
/// </summary>
public sealed record WalObject(string Name, long Length, byte[] Sha256, DateTimeOffset Pushed)
{
    private const int HeaderSize = 56, CompressionLevel = 3;
    private static ReadOnlySpan<byte> Magic => "VWAL"u8;

    public static byte[] AssociatedData(string name) => System.Text.Encoding.ASCII.GetBytes("varlor:wal:" + name);

    /// <summary>Compresses (when it pays) and seals <paramref name="content"/>.</summary>
    public static (byte[] Sealed, WalObject Info) Seal(Aead aead, string name, ReadOnlySpan<byte> content, DateTimeOffset pushed)
    {
        var info = new WalObject(name, content.Length, SHA256.HashData(content), pushed);
        var plain = new byte[HeaderSize + Zstd.CompressBound(content.Length)];
        var packed = Zstd.Compress(content, plain.AsSpan(HeaderSize), CompressionLevel);
        var compressed = packed < content.Length - content.Length / 32;
        if (!compressed)
        {
            content.CopyTo(plain.AsSpan(HeaderSize));
            packed = content.Length;
        }
        var header = plain.AsSpan(0, HeaderSize);
        Magic.CopyTo(header);
        header[4] = 1;
        header[5] = compressed ? (byte)1 : (byte)0;
        BinaryPrimitives.WriteUInt64LittleEndian(header[8..], (ulong)content.Length);
        info.Sha256.CopyTo(header[16..]);
        BinaryPrimitives.WriteInt64LittleEndian(header[48..], pushed.ToUnixTimeMilliseconds());
        return (aead.Seal(plain.AsSpan(0, HeaderSize + packed), AssociatedData(name)), info);
    }

    /// <summary>Opens a stored object, verifying authentication, length and hash; returns the original bytes.</summary>
    public static (byte[] Content, WalObject Info) Open(Aead aead, string name, ReadOnlySpan<byte> sealedBytes)
    {
        var what = $"wal {name}";
        var plain = aead.Open(sealedBytes, AssociatedData(name), what);
        if (plain.Length < HeaderSize || !plain.AsSpan(0, 4).SequenceEqual(Magic) || plain[4] != 1)
            throw new CorruptDataException($"{what}: unknown format");
        var length = BinaryPrimitives.ReadUInt64LittleEndian(plain.AsSpan(8));
        if (length > int.MaxValue) throw new CorruptDataException($"{what}: implausible length {length}");
        var info = new WalObject(name, (long)length, plain.AsSpan(16, 32).ToArray(),
            DateTimeOffset.FromUnixTimeMilliseconds(BinaryPrimitives.ReadInt64LittleEndian(plain.AsSpan(48))));
        var payload = plain.AsSpan(HeaderSize);
        byte[] content;
        if ((plain[5] & 1) != 0)
        {
            content = new byte[length];
            try { Zstd.Decompress(payload, content); }
            catch (Exception e) when (e is not OperationCanceledException) { throw new CorruptDataException($"{what}: cannot decompress ({e.Message})"); }
        }
        else
        {
            if ((ulong)payload.Length != length) throw new CorruptDataException($"{what}: length does not match its header");
            content = payload.ToArray();
        }
        if (!SHA256.HashData(content).AsSpan().SequenceEqual(info.Sha256))
            throw new CorruptDataException($"{what}: content does not match its recorded SHA-256");
        return (content, info);
    }
}
