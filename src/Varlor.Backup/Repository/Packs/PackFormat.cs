using System.Buffers.Binary;
using Varlor.Backup.Repository.Crypto;

namespace Varlor.Backup.Repository.Packs;

/// <summary>
/// Pack file layout (docs/repository-format.md): sealed blobs back to back, then the sealed header, then the
/// header's sealed length as 4 bytes little-endian. Header entries are 42 bytes each:
/// type (1), flags (1, bit 0 = zstd), sealed length (4 LE), raw length (4 LE), id (32).
/// </summary>
public static class PackFormat
{
    public const int HeaderEntrySize = 42;
    public static readonly byte[] HeaderAad = "varlor:pack-header"u8.ToArray();

    /// <summary>Associated data of a sealed blob: binds it to its id and type.</summary>
    public static void BlobAad(BlobId id, BlobType type, Span<byte> destination)
    {
        "varlor:blob"u8.CopyTo(destination);
        destination[11] = (byte)type;
        id.WriteTo(destination[12..]);
    }

    public const int BlobAadSize = 12 + BlobId.Size;

    public static byte[] EncodeHeader(IReadOnlyList<PackEntry> entries)
    {
        var buffer = new byte[entries.Count * HeaderEntrySize];
        var span = buffer.AsSpan();
        foreach (var e in entries)
        {
            span[0] = (byte)e.Type;
            span[1] = e.Compressed ? (byte)1 : (byte)0;
            BinaryPrimitives.WriteUInt32LittleEndian(span[2..], e.Length);
            BinaryPrimitives.WriteUInt32LittleEndian(span[6..], e.RawLength);
            e.Id.WriteTo(span[10..]);
            span = span[HeaderEntrySize..];
        }
        return buffer;
    }

    public static List<PackEntry> DecodeHeader(ReadOnlySpan<byte> header, long headerOffset, string packName)
    {
        if (header.Length % HeaderEntrySize != 0) throw new CorruptDataException($"pack {packName}: malformed header");
        var entries = new List<PackEntry>(header.Length / HeaderEntrySize);
        long offset = 0;
        for (var span = header; !span.IsEmpty; span = span[HeaderEntrySize..])
        {
            var type = span[0];
            var length = BinaryPrimitives.ReadUInt32LittleEndian(span[2..]);
            if (type > 1 || span[1] > 1 || length < Aead.Overhead || offset + length > headerOffset)
                throw new CorruptDataException($"pack {packName}: malformed header entry");
            entries.Add(new PackEntry(BlobId.FromBytes(span[10..42]), (BlobType)type, span[1] == 1, (uint)offset, length,
                BinaryPrimitives.ReadUInt32LittleEndian(span[6..])));
            offset += length;
        }
        return entries;
    }
}
