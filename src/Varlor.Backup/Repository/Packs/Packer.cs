using System.Runtime.ExceptionServices;
using System.Security.Cryptography;
using System.Threading.Channels;
using Varlor.Backup.Repository.Crypto;
using Varlor.Backup.Repository.Index;
using Varlor.Backup.Storage;

namespace Varlor.Backup.Repository.Packs;

/// <summary>
/// Compresses, seals and groups new blobs into packs of about <see cref="TargetPackSize"/> bytes, data and trees
/// in separate packs. Callers add blobs from many threads; each pack is assembled in a spool file (not in
/// memory) and hashed as it grows; background writers (<see cref="IStorageBackend.PackUploads"/> of them) make full
/// packs durable and store them, so that uploads overlap filling the next packs. Packs waiting or in flight cost
/// disk, not memory. A blob enters the index only after its pack is durable; the first failure to store stops
/// every writer and is what <see cref="AddAsync"/> and <see cref="FlushAsync"/> throw.
/// </summary>
public sealed class Packer : IAsyncDisposable
{
    public const int TargetPackSize = 16 * 1024 * 1024;

    private readonly Repository _repo;
    private readonly Lock _lock = new();
    private readonly OpenPack?[] _open = new OpenPack?[2];
    private readonly Channel<OpenPack> _full;
    private readonly Task[] _writers;
    // Cancelled by the first writer that fails: the others stop instead of storing packs no index will name.
    private readonly CancellationTokenSource _stop = new();
    private Exception? _failure;
    private readonly List<IndexPack> _written = [];
    private readonly int _level;
    private byte[] _sealBuffer = [];
    // Compression output for blobs up to the largest chunk; bigger blobs (trees of huge folders) get their own.
    private readonly BufferPool _scratch;
    private long _bytesAdded, _rawAdded, _blobsAdded;

    /// <param name="uploads">Packs stored at once; default: what the backend says pays (<see cref="IStorageBackend.PackUploads"/>).</param>
    /// <param name="level">zstd level for this run instead of the repository's (readers do not need to know it).</param>
    public Packer(Repository repo, int? uploads = null, int queuedPacks = 1, int? level = null)
    {
        _repo = repo;
        _level = level ?? repo.Config.Compression.Level;
        _scratch = new BufferPool(Zstd.CompressBound(repo.Config.Chunker.MaxSize), 2 * Environment.ProcessorCount);
        var writers = Math.Max(1, uploads ?? repo.Backend.PackUploads);
        _full = Channel.CreateBounded<OpenPack>(new BoundedChannelOptions(queuedPacks) { SingleReader = writers == 1 });
        _writers = [.. Enumerable.Range(0, writers).Select(_ => Task.Run(WriteLoopAsync))];
    }

    /// <summary>Packs stored at once.</summary>
    public int Uploads => _writers.Length;

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
        var bound = Zstd.CompressBound(plaintext.Length);
        var pooled = bound <= _scratch.BufferSize;
        var compressed = pooled ? _scratch.Rent() : new byte[bound];
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
                pack ??= _open[(int)type] = new OpenPack(type, _repo.Backend.SpoolFolder);
                // Under the lock one seal buffer serves every thread; AES-GCM runs at several GB/s.
                if (_sealBuffer.Length < sealedLength) _sealBuffer = GC.AllocateUninitializedArray<byte>(Math.Max(sealedLength, 1 << 20));
                pack.AppendSealed(entry, body, _repo.Aead, _sealBuffer);
            }
            Interlocked.Add(ref _bytesAdded, sealedLength);
            Interlocked.Add(ref _rawAdded, plaintext.Length);
            Interlocked.Increment(ref _blobsAdded);
            if (full is not null) await EnqueueAsync(full, ct);
        }
        finally
        {
            if (pooled) _scratch.Return(compressed);
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
        await Task.WhenAll(_writers);
        ThrowIfFailed();
    }

    private async Task EnqueueAsync(OpenPack pack, CancellationToken ct)
    {
        try
        {
            await _full.Writer.WriteAsync(pack, ct);
        }
        catch (Exception e)
        {
            pack.Abandon(); // no writer will take it: its spool file goes
            if (e is ChannelClosedException) ThrowIfFailed(); // a writer's own failure (disk full, storage unreachable...)
            throw;
        }
    }

    private void ThrowIfFailed()
    {
        if (Volatile.Read(ref _failure) is { } failure) ExceptionDispatchInfo.Throw(failure);
    }

    /// <summary>One writer: stores queued packs until the queue is completed or a writer fails. Never throws.</summary>
    private async Task WriteLoopAsync()
    {
        try
        {
            await foreach (var pack in _full.Reader.ReadAllAsync(_stop.Token))
                await StoreAsync(pack, _stop.Token);
        }
        catch (Exception e)
        {
            // Only the first failure counts: the others are writers cancelled because of it.
            if (Interlocked.CompareExchange(ref _failure, e, null) is not null) return;
            _full.Writer.TryComplete(e); // unblocks the producers
            await _stop.CancelAsync();
        }
    }

    private async Task StoreAsync(OpenPack pack, CancellationToken ct)
    {
        BlobId id;
        try
        {
            (var path, id) = pack.Finish(_repo.Aead);
            await _repo.Backend.SaveFileAsync(FileKind.Pack, id.ToString(), path, ct);
        }
        catch
        {
            pack.Abandon();
            throw;
        }
        _repo.Index.AddPack(id, pack.Entries);
        lock (_written)
            _written.Add(IndexPack.From(id, pack.Entries));
    }

    public async ValueTask DisposeAsync()
    {
        _full.Writer.TryComplete();
        await Task.WhenAll(_writers); // failures were reported by FlushAsync when it mattered
        _stop.Dispose();
        // Packs never finished (cancelled or failed run): their spool files go.
        lock (_lock)
        {
            foreach (var pack in _open) pack?.Abandon();
            Array.Clear(_open);
        }
        while (_full.Reader.TryRead(out var queued)) queued.Abandon();
    }

    /// <summary>A pack being filled: a spool file written and hashed as blobs arrive.</summary>
    private sealed class OpenPack
    {
        private readonly string _path;
        private readonly FileStream _stream;
        private readonly IncrementalHash _hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        private long _length;

        public OpenPack(BlobType type, string spoolFolder)
        {
            Type = type;
            Directory.CreateDirectory(spoolFolder);
            _path = LocalBackend.TempName(spoolFolder);
            _stream = new FileStream(_path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1 << 20);
        }

        public List<PackEntry> Entries { get; } = [];
        public BlobType Type { get; }

        /// <summary>A pack takes blobs up to the target size; an empty pack takes any blob.</summary>
        public bool Fits(int sealedLength) => _length == 0 || _length + sealedLength <= TargetPackSize;

        public void AppendSealed(PackEntry entry, ReadOnlySpan<byte> body, Aead aead, byte[] sealBuffer)
        {
            var sealedBlob = sealBuffer.AsSpan(0, (int)entry.Length);
            Span<byte> aad = stackalloc byte[PackFormat.BlobAadSize];
            PackFormat.BlobAad(entry.Id, entry.Type, aad);
            aead.Seal(body, sealedBlob, aad);
            Entries.Add(entry with { Offset = (uint)_length });
            Write(sealedBlob);
        }

        private void Write(ReadOnlySpan<byte> bytes)
        {
            _hash.AppendData(bytes);
            _stream.Write(bytes);
            _length += bytes.Length;
        }

        /// <summary>Appends the header, makes the file durable, and returns it with its name (SHA-256).</summary>
        public (string Path, BlobId Id) Finish(Aead aead)
        {
            var sealedHeader = aead.Seal(PackFormat.EncodeHeader(Entries), PackFormat.HeaderAad);
            Write(sealedHeader);
            Span<byte> len = stackalloc byte[4];
            System.Buffers.Binary.BinaryPrimitives.WriteUInt32LittleEndian(len, (uint)sealedHeader.Length);
            Write(len);
            _stream.Flush(flushToDisk: true);
            _stream.Dispose();
            return (_path, BlobId.FromBytes(_hash.GetHashAndReset()));
        }

        public void Abandon()
        {
            _stream.Dispose();
            File.Delete(_path);
        }
    }
}
