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

    /// <summary>Compresses (when it pays) and seals a blob, then appends it to the open pack of its type.</summary>
    public async ValueTask AddAsync(BlobId id, BlobType type, ReadOnlyMemory<byte> plaintext, CancellationToken ct)
    {
        var bound = Zstd.CompressBound(plaintext.Length);
        var compressed = ArrayPool<byte>.Shared.Rent(bound);
        var sealedBuffer = ArrayPool<byte>.Shared.Rent(Math.Max(bound, plaintext.Length) + Aead.Overhead);
        try
        {
            var clen = Zstd.Compress(plaintext.Span, compressed, _level);
            // Store raw when compression saves less than 1/32: incompressible data costs nothing to read back.
            var useCompressed = clen < plaintext.Length - (plaintext.Length >> 5);
            var body = useCompressed ? compressed.AsSpan(0, clen) : plaintext.Span;
            Span<byte> aad = stackalloc byte[PackFormat.BlobAadSize];
            PackFormat.BlobAad(id, type, aad);
            var sealedLength = body.Length + Aead.Overhead;
            _repo.Aead.Seal(body, sealedBuffer.AsSpan(0, sealedLength), aad);

            OpenPack? full = null;
            lock (_lock)
            {
                var pack = _open[(int)type] ??= new OpenPack(type);
                pack.Append(new PackEntry(id, type, useCompressed, 0, (uint)sealedLength, (uint)plaintext.Length), sealedBuffer.AsSpan(0, sealedLength));
                if (pack.Length >= TargetPackSize)
                {
                    full = pack;
                    _open[(int)type] = null;
                }
            }
            Interlocked.Add(ref _bytesAdded, sealedLength);
            Interlocked.Add(ref _rawAdded, plaintext.Length);
            Interlocked.Increment(ref _blobsAdded);
            if (full is not null) await EnqueueAsync(full, ct);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(compressed);
            ArrayPool<byte>.Shared.Return(sealedBuffer);
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
            _repo.Index.AddPack(id, pack.Entries);
            lock (_written)
                _written.Add(new IndexPack(id, [.. pack.Entries.Select(e => new IndexBlob(e.Id, e.Type, e.Offset, e.Length, e.RawLength, e.Compressed))]));
        }
    }

    public async ValueTask DisposeAsync()
    {
        _full.Writer.TryComplete();
        try { await _writer; } catch (Exception) { /* reported by FlushAsync when it matters */ }
    }

    private sealed class OpenPack(BlobType type)
    {
        private readonly MemoryStream _stream = new(TargetPackSize + 1024 * 1024);
        public List<PackEntry> Entries { get; } = [];
        public BlobType Type { get; } = type;
        public long Length => _stream.Length;

        public void Append(PackEntry entry, ReadOnlySpan<byte> sealedBlob)
        {
            Entries.Add(entry with { Offset = (uint)_stream.Length });
            _stream.Write(sealedBlob);
        }

        public (byte[] Buffer, int Length) Finish(Aead aead)
        {
            var sealedHeader = aead.Seal(PackFormat.EncodeHeader(Entries), PackFormat.HeaderAad);
            _stream.Write(sealedHeader);
            Span<byte> len = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)sealedHeader.Length);
            _stream.Write(len);
            return (_stream.GetBuffer(), (int)_stream.Length);
        }
    }
}
