namespace Varlor.Backup.Repository.Packs;

/// <summary>One blob inside a pack: where its sealed bytes are and what they decode to.</summary>
public readonly record struct PackEntry(BlobId Id, BlobType Type, bool Compressed, uint Offset, uint Length, uint RawLength);
