using System.Buffers.Binary;
using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Engines.Chunking;

/// <summary>
/// FastCDC (Xia et al., 2016/2020) content-defined chunking with normalized chunking (level 2): a gear rolling
/// hash over the last 64 bytes; a cut where the hash's top bits are zero, with a stricter mask before the
/// average size and a looser one after it. The gear table is derived from the repository's secret seed, so
/// chunk boundaries (and thus sizes) reveal nothing to someone who knows a file but not the key.
/// </summary>
public sealed class FastCdc
{
    private readonly ulong[] _gear = new ulong[256];
    private readonly ulong _maskS, _maskL;
    public int MinSize { get; }
    public int AvgSize { get; }
    public int MaxSize { get; }

    public FastCdc(ChunkerParameters p)
    {
        p.Validate();
        MinSize = p.MinSize;
        AvgSize = p.AvgSize;
        MaxSize = p.MaxSize;
        // gear[i] = first 8 bytes (big-endian) of HMAC-SHA256(seed, [i])
        Span<byte> mac = stackalloc byte[32];
        for (var i = 0; i < 256; i++)
        {
            HMACSHA256.HashData(p.GearSeed, [(byte)i], mac);
            _gear[i] = BinaryPrimitives.ReadUInt64BigEndian(mac);
        }
        var bits = BitOperations.Log2((uint)AvgSize);
        _maskS = ulong.MaxValue << (64 - (bits + 2));
        _maskL = ulong.MaxValue << (64 - (bits - 2));
    }

    /// <summary>
    /// Length of the next chunk at the start of <paramref name="data"/>. When <paramref name="data"/> is shorter
    /// than <see cref="MaxSize"/> and more input follows, call again with more data; at the end of input the
    /// remaining bytes (when no cut point is found) form the last chunk.
    /// </summary>
    public int NextCut(ReadOnlySpan<byte> data)
    {
        var n = data.Length;
        if (n <= MinSize) return n;
        if (n > MaxSize) n = MaxSize;
        var normal = Math.Min(AvgSize, n);
        ulong hash = 0;
        // Hot loop: no bounds checks (i < n <= data.Length, and a byte always indexes the 256-entry table).
        ref var bytes = ref MemoryMarshal.GetReference(data);
        ref var gear = ref MemoryMarshal.GetArrayDataReference(_gear);
        ulong maskS = _maskS, maskL = _maskL;
        var i = MinSize;
        for (; i < normal; i++)
        {
            hash = (hash << 1) + Unsafe.Add(ref gear, Unsafe.Add(ref bytes, i));
            if ((hash & maskS) == 0) return i + 1;
        }
        for (; i < n; i++)
        {
            hash = (hash << 1) + Unsafe.Add(ref gear, Unsafe.Add(ref bytes, i));
            if ((hash & maskL) == 0) return i + 1;
        }
        return n;
    }
}
