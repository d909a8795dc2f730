namespace Varlor.Backup.Repository.Index;

/// <summary>Where a blob lives: the pack (by number in <see cref="MasterIndex"/>) and its entry there.</summary>
public readonly record struct IndexEntry(int Pack, uint Offset, uint Length, uint RawLength, BlobType Type, bool Compressed);
