using Varlor.Backup.Repository;

namespace Varlor.Backup.Engines.Copying;

public sealed record CopiedSnapshot(BlobId Source, BlobId Target);

/// <summary>What a copy did: snapshots copied and skipped (already in the target), and what the target gained.</summary>
public sealed record CopyResult(List<CopiedSnapshot> Copied, List<BlobId> AlreadyCopied, long BlobsRead, long BlobsAdded, long BytesAdded);
