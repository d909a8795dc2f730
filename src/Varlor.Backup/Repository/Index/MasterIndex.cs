using Varlor.Backup.Repository.Packs;

namespace Varlor.Backup.Repository.Index;

/// <summary>
/// The in-memory union of all index files: blob id to location. Thread-safe. Memory grows with the number of
/// blobs (about 100 bytes each), never with the size of the data.
/// </summary>
public sealed class MasterIndex
{
    private readonly Lock _lock = new();
    private readonly Dictionary<BlobId, IndexEntry> _blobs = [];
    private readonly List<BlobId> _packs = [];
    private readonly Dictionary<BlobId, int> _packNumbers = [];

    public int BlobCount { get { lock (_lock) return _blobs.Count; } }
    public int PackCount { get { lock (_lock) return _packs.Count; } }

    public bool Contains(BlobId id)
    {
        lock (_lock) return _blobs.ContainsKey(id);
    }

    public bool TryGet(BlobId id, out IndexEntry entry, out BlobId pack)
    {
        lock (_lock)
        {
            if (_blobs.TryGetValue(id, out entry))
            {
                pack = _packs[entry.Pack];
                return true;
            }
            pack = default;
            return false;
        }
    }

    public bool ContainsPack(BlobId pack)
    {
        lock (_lock) return _packNumbers.ContainsKey(pack);
    }

    public IReadOnlyList<BlobId> Packs()
    {
        lock (_lock) return [.. _packs];
    }

    public void AddPack(BlobId pack, IEnumerable<PackEntry> entries)
    {
        lock (_lock)
        {
            if (!_packNumbers.TryGetValue(pack, out var number))
            {
                number = _packs.Count;
                _packs.Add(pack);
                _packNumbers.Add(pack, number);
            }
            foreach (var e in entries)
                _blobs.TryAdd(e.Id, new IndexEntry(number, e.Offset, e.Length, e.RawLength, e.Type, e.Compressed));
        }
    }

    public void Add(IndexDocument document)
    {
        foreach (var p in document.Packs)
            AddPack(p.Id, p.Blobs.Select(b => new PackEntry(b.Id, b.Type, b.Compressed, b.Offset, b.Length, b.RawLength)));
    }

    /// <summary>All entries, grouped by pack (for statistics and checks).</summary>
    public List<(BlobId Pack, List<PackEntry> Blobs)> Snapshot()
    {
        lock (_lock)
        {
            var byPack = _packs.Select(p => (Pack: p, Blobs: new List<PackEntry>())).ToList();
            foreach (var (id, e) in _blobs)
                byPack[e.Pack].Blobs.Add(new PackEntry(id, e.Type, e.Compressed, e.Offset, e.Length, e.RawLength));
            return byPack;
        }
    }
}
