namespace Varlor.Backup.Repository;

/// <summary>What a blob holds. The numeric values are part of the repository format.</summary>
public enum BlobType : byte
{
    Data = 0,
    Tree = 1,
}
