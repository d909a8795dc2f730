using System.Collections.Concurrent;

namespace Varlor.Backup.Repository.Packs;

/// <summary>
/// Buffers of one fixed size, kept for reuse up to a bound. Allocated uninitialized, so that pages a buffer never
/// touches (a 4 MiB chunk buffer holding a 1 MiB chunk) cost no memory. Unlike size-classed pools, it cannot
/// accumulate arrays in every size class over a long run.
/// </summary>
public sealed class BufferPool(int bufferSize, int keep)
{
    private readonly ConcurrentBag<byte[]> _free = [];
    public int BufferSize { get; } = bufferSize;

    public byte[] Rent() => _free.TryTake(out var b) ? b : GC.AllocateUninitializedArray<byte>(BufferSize);

    public void Return(byte[] buffer)
    {
        if (buffer.Length == BufferSize && _free.Count < keep) _free.Add(buffer);
    }
}
