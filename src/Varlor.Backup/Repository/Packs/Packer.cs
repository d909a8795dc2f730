using System.Buffers;
using System.Security.Cryptography;
using System.Threading.Channels;
using Varlor.Backup.Repository.Crypto;
using Varlor.Backup.Repository.Index;
using Varlor.Backup.Storage;

namespace Varlor.Backup.Repository.Packs;

/// <summary>
/// Compresses, seals and groups new blobs into packs of about <see cref="TargetPackSize"/> bytes, data and trees
/// in separate packs. Callers add blobs from many threads; full packs are written by one background writer,
/// at most <c>queuedPacks</c> ahead, which bounds memory. A blob enters the index only after its pack is durable.
/// </summary>
public sealed class Packer : IAsyncDisposable
{
    public const int TargetPackSize = 16 * 1024 * 1024;

    private readonly Repository _repo;
    private readonly Lock _lock = new();
    private readonly OpenPack?[] _open = new OpenPack?[2];
    private readonly Channel<OpenPack> _full;
    private readonly Task _writer;
    private readonly List<IndexPack> _written = [];
    private readonly int _level;
    private readonly System.Collections.Concurrent.ConcurrentBag<byte[]> _buffers = [];
    private readonly ArrayPool<byte> _scratch = ArrayPool<byte>.Create(64 * 1024 * 1024, 8);
    private long _bytesAdded, _rawAdded, _blobsAdded;

    public Packer(Repository repo, int queuedPacks = 1)
    {
        _repo = repo;
        _level = repo.Config.Compression.Level;
        _full = Channel.CreateBounded<OpenPack>(new BoundedChannelOptions(queuedPacks) { SingleReader = true });
        _writer = Task.Run(WriteLoopAsync);
    }

    public long BytesAdded => Interlocked.Read(ref _bytesAdded);
    public long RawBytesAdded => Interlocked.Read(ref _rawAdded);
    public long BlobsAdded => Interlocked.Read(ref _blobsAdded);

    /// <summary>Packs written so far, for the index file the caller saves.</summary>
    public List<IndexPack> WrittenPacks
    {
        get { lock (_written) return [.. _written]; }
    }

    /// <summary>Compresses (when it pays) and seals a blob straight into the open pack of its type.</summary>
    public async ValueTask AddAsync(BlobId id, BlobType type, ReadOnlyMemory<byte> plaintext, CancellationToken ct)
    {
        var compressed = _scratch.Rent(Zstd.CompressBound(plaintext.Length));
        try
        {
            var clen = Zstd.Compress(plaintext.Span, compressed, _level);
            // Store raw when compression saves less than 1/32: incompressible data costs nothing to read back.
            var useCompressed = clen < plaintext.Length - (plaintext.Length >> 5);
            var body = useCompressed ? compressed.AsSpan(0, clen) : plaintext.Span;
            var sealedLength = body.Length + Aead.Overhead;
            var entry = new PackEntry(id, type, useCompressed, 0, (uint)sealedLength, (uint)plaintext.Length);

            OpenPack? full = null;
            lock (_lock)
            {
                var pack = _open[(int)type];
                if (pack is not null && !pack.Fits(sealedLength))
                {
                    full = pack;
                    pack = null;
                }
                pack ??= _open[(int)type] = new OpenPack(type, _buffers);
                // Sealing under the lock avoids another copy; AES-GCM runs at several GB/s.
                pack.AppendSealed(entry, body, _repo.Aead);
            }
            Interlocked.Add(ref _bytesAdded, sealedLength);
            Interlocked.Add(ref _rawAdded, plaintext.Length);
            Interlocked.Increment(ref _blobsAdded);
            if (full is not null) await EnqueueAsync(full, ct);
        }
        finally
        {
            _scratch.Return(compressed);
        }
    }

    /// <summary>Writes the open packs and waits until every pack is durable. The packer cannot be used after.</summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        OpenPack?[] rest;
        lock (_lock)
        {
            rest = [.. _open];
            Array.Clear(_open);
        }
        foreach (var pack in rest)
            if (pack is not null) await EnqueueAsync(pack, ct);
        _full.Writer.TryComplete();
        await _writer;
    }

    private async Task EnqueueAsync(OpenPack pack, CancellationToken ct)
    {
        try
        {
            await _full.Writer.WriteAsync(pack, ct);
        }
        catch (ChannelClosedException)
        {
            await _writer; // rethrows the writer's own failure (disk full, permission...)
            throw;
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await WritePacksAsync();
        }
        catch (Exception e)
        {
            _full.Writer.TryComplete(e);
            throw;
        }
    }

    private async Task WritePacksAsync()
    {
        await foreach (var pack in _full.Reader.ReadAllAsync())
        {
            var (bytes, length) = pack.Finish(_repo.Aead);
            var id = BlobId.FromBytes(SHA256.HashData(bytes.AsSpan(0, length)));
            await _repo.Backend.SaveAsync(FileKind.Pack, id.ToString(), bytes.AsMemory(0, length), CancellationToken.None);
            _buffers.Add(bytes);
            _repo.Index.AddPack(id, pack.Entries);
            lock (_written)
                _written.Add(IndexPack.From(id, pack.Entries));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _full.Writer.TryComplete();
        try { await _writer; } catch (Exception) { /* reported by FlushAsync when it matters */ }
    }

    /// <summary>A pack being filled, in a buffer reused from pack to pack (no large-object garbage per pack).</summary>
    private sealed class OpenPack(BlobType type, System.Collections.Concurrent.ConcurrentBag<byte[]> pool)
    {
        /// <summary>Room for the blobs, plus the header of the most entries a pack can hold.</summary>
        private const int Capacity = TargetPackSize + 64 * 1024;
        private byte[] _buffer = pool.TryTake(out var b) ? b : GC.AllocateUninitializedArray<byte>(Capacity);
        private int _length;
        public List<PackEntry> Entries { get; } = [];
        public BlobType Type { get; } = type;

        /// <summary>A pack takes blobs up to the target size; an empty pack takes any blob (a chunk is at most 64 MiB).</summary>
        public bool Fits(int sealedLength) =>
            _length == 0 || _length + sealedLength <= TargetPackSize;

        public void AppendSealed(PackEntry entry, ReadOnlySpan<byte> body, Aead aead)
        {
            EnsureCapacity(_length + (int)entry.Length);
            Span<byte> aad = stackalloc byte[PackFormat.BlobAadSize];
            PackFormat.BlobAad(entry.Id, entry.Type, aad);
            aead.Seal(body, _buffer.AsSpan(_length, (int)entry.Length), aad);
            Entries.Add(entry with { Offset = (uint)_length });
            _length += (int)entry.Length;
        }

        private void EnsureCapacity(int needed)
        {
            if (needed <= _buffer.Length) return;
            Array.Resize(ref _buffer, Math.Max(needed, _buffer.Length * 2));
        }

        public (byte[] Buffer, int Length) Finish(Aead aead)
        {
            var sealedHeader = aead.Seal(PackFormat.EncodeHeader(Entries), PackFormat.HeaderAad);
            EnsureCapacity(_length + sealedHeader.Length + 4);
            sealedHeader.CopyTo(_buffer.AsSpan(_length));
            _length += sealedHeader.Length;
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(_buffer.AsSpan(_length), (uint)sealedHeader.Length);
            _length += 4;
            return (_buffer, _length);
        }
    }
}
