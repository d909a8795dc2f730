using System.Threading.Channels;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Index;
using Varlor.Backup.Repository.Packs;
using Varlor.Backup.Repository.Snapshots;
using Varlor.Backup.Repository.Trees;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Engines.Archiving;

/// <summary>
/// The storing half of a backup: a chunk's keyed id is computed by the caller's thread (cheap) and only chunks the
/// index does not know cross a bounded channel to workers that compress and seal them into the packer (costly).
/// <see cref="CompleteAsync"/> waits until every pack is durable and returns them for the index file.
/// </summary>
public sealed class BlobSink : IAsyncDisposable
{
    private readonly Repo _repo;
    // Chunk copies in flight: bounded by the channel, so a small pool of largest-chunk buffers serves them all
    // (a pool keyed by size would keep arrays in every size class over a long backup).
    private readonly BufferPool _pool;
    private readonly HashSet<BlobId> _pending = [];
    private readonly Channel<(BlobId Id, byte[] Buffer, int Length)> _jobs;
    private readonly Task[] _workers;

    public BlobSink(Repo repo, int workers, int? compressionLevel = null)
    {
        _repo = repo;
        _pool = new BufferPool(repo.Config.Chunker.MaxSize, 2 * Math.Max(2, workers) + 2);
        Packer = new Packer(repo, level: compressionLevel);
        _jobs = Channel.CreateBounded<(BlobId, byte[], int)>(new BoundedChannelOptions(Math.Max(2, workers)) { SingleWriter = true });
        _workers = [.. Enumerable.Range(0, Math.Max(1, workers)).Select(_ => Task.Run(WorkAsync))];
    }

    public Packer Packer { get; }

    /// <summary>Stores a data chunk unless the repository (or this run) already has it; returns its id.</summary>
    public async ValueTask<BlobId> AddDataAsync(ReadOnlyMemory<byte> chunk, CancellationToken ct)
    {
        var id = _repo.Key.ComputeId(chunk.Span);
        if (_repo.Index.Contains(id) || !_pending.Add(id)) return id;
        var copy = _pool.Rent();
        chunk.Span.CopyTo(copy);
        try
        {
            await _jobs.Writer.WriteAsync((id, copy, chunk.Length), ct);
        }
        catch (ChannelClosedException)
        {
            _pool.Return(copy);
            await Task.WhenAll(_workers); // a worker failed (disk full, ...): surface its error
            throw;
        }
        return id;
    }

    /// <summary>Stores a tree blob unless known; returns its id.</summary>
    public async ValueTask<BlobId> AddTreeAsync(Tree tree, CancellationToken ct)
    {
        var bytes = Repo.EncodeTree(tree);
        var id = _repo.Key.ComputeId(bytes);
        if (!_repo.Index.Contains(id) && _pending.Add(id)) await Packer.AddAsync(id, BlobType.Tree, bytes, ct);
        return id;
    }

    /// <summary>Waits for the workers, makes every pack durable, and returns the packs written.</summary>
    public async Task<List<IndexPack>> CompleteAsync(CancellationToken ct)
    {
        _jobs.Writer.TryComplete();
        await Task.WhenAll(_workers);
        await Packer.FlushAsync(ct);
        return Packer.WrittenPacks;
    }

    /// <summary>
    /// Ends a run in the order that makes a crash harmless: every pack durable, then one index file naming them
    /// (and any adopted packs), then the snapshot, whose summary gets the packer's figures.
    /// </summary>
    public async Task<BackupResult> CommitAsync(Snapshot snapshot, IReadOnlyList<IndexPack> adopted, IReadOnlyList<string> failedFiles, CancellationToken ct)
    {
        var written = await CompleteAsync(ct);
        written.AddRange(adopted);
        if (written.Count > 0) await _repo.SaveIndexAsync(new IndexDocument(written), ct);
        var complete = snapshot with
        {
            ProgramVersion = typeof(BlobSink).Assembly.GetName().Version?.ToString(3),
            Summary = (snapshot.Summary ?? new BackupSummary()) with
            {
                BackupEnd = DateTimeOffset.UtcNow,
                BlobsAdded = Packer.BlobsAdded, DataAdded = Packer.BytesAdded, DataAddedRaw = Packer.RawBytesAdded,
            },
        };
        var id = await _repo.SaveSnapshotAsync(complete, ct);
        return new BackupResult(complete with { Id = id }, id, failedFiles);
    }

    private async Task WorkAsync()
    {
        try
        {
            await foreach (var (id, buffer, length) in _jobs.Reader.ReadAllAsync())
            {
                try { await Packer.AddAsync(id, BlobType.Data, buffer.AsMemory(0, length), CancellationToken.None); }
                finally { _pool.Return(buffer); }
            }
        }
        catch (Exception e)
        {
            _jobs.Writer.TryComplete(e); // unblocks the producer
            throw;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _jobs.Writer.TryComplete();
        while (_jobs.Reader.TryRead(out var job)) _pool.Return(job.Buffer);
        try { await Task.WhenAll(_workers); } catch (Exception) { /* reported by CompleteAsync when it matters */ }
        await Packer.DisposeAsync();
    }
}
