namespace Varlor.Backup.Repository.Index;

/// <summary>An index file's content: packs and the blobs in each (JSON, zstd-compressed, then sealed).</summary>
public sealed record IndexDocument(List<IndexPack> Packs);

public sealed record IndexPack(BlobId Id, List<IndexBlob> Blobs)
{
    public static IndexPack From(BlobId pack, IEnumerable<Packs.PackEntry> entries) =>
        new(pack, [.. entries.Select(e => new IndexBlob(e.Id, e.Type, e.Offset, e.Length, e.RawLength, e.Compressed))]);
}

public sealed record IndexBlob(BlobId Id, BlobType Type, uint Offset, uint Length, uint RawLength, bool Compressed);
