using System.Buffers.Binary;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace Varlor.Backup.Repository;

/// <summary>A 256-bit identifier: a keyed hash of a blob's plaintext, or the SHA-256 of a stored file.</summary>
[JsonConverter(typeof(BlobIdJsonConverter))]
public readonly record struct BlobId(ulong A, ulong B, ulong C, ulong D) : IComparable<BlobId>
{
    public const int Size = 32;

    public static BlobId FromBytes(ReadOnlySpan<byte> bytes) => new(
        BinaryPrimitives.ReadUInt64BigEndian(bytes),
        BinaryPrimitives.ReadUInt64BigEndian(bytes[8..]),
        BinaryPrimitives.ReadUInt64BigEndian(bytes[16..]),
        BinaryPrimitives.ReadUInt64BigEndian(bytes[24..]));

    public void WriteTo(Span<byte> destination)
    {
        BinaryPrimitives.WriteUInt64BigEndian(destination, A);
        BinaryPrimitives.WriteUInt64BigEndian(destination[8..], B);
        BinaryPrimitives.WriteUInt64BigEndian(destination[16..], C);
        BinaryPrimitives.WriteUInt64BigEndian(destination[24..], D);
    }

    public byte[] ToBytes()
    {
        var b = new byte[Size];
        WriteTo(b);
        return b;
    }

    public static BlobId Parse(string hex)
    {
        if (!TryParse(hex, out var id)) throw new FormatException($"'{hex}' is not a 64-digit hex id");
        return id;
    }

    public static bool TryParse(string? hex, out BlobId id)
    {
        id = default;
        if (hex is null || hex.Length != 64) return false;
        Span<byte> b = stackalloc byte[Size];
        if (Convert.FromHexString(hex, b, out _, out var written) != System.Buffers.OperationStatus.Done || written != Size) return false;
        id = FromBytes(b);
        return true;
    }

    public override string ToString()
    {
        Span<byte> b = stackalloc byte[Size];
        WriteTo(b);
        return Convert.ToHexStringLower(b);
    }

    public string Short => ToString()[..8];

    public int CompareTo(BlobId other) =>
        A != other.A ? A.CompareTo(other.A) : B != other.B ? B.CompareTo(other.B) : C != other.C ? C.CompareTo(other.C) : D.CompareTo(other.D);
}

internal sealed class BlobIdJsonConverter : JsonConverter<BlobId>
{
    public override BlobId Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        BlobId.TryParse(reader.GetString(), out var id) ? id : throw new JsonException("invalid id");

    public override void Write(Utf8JsonWriter writer, BlobId value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString());
}
