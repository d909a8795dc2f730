namespace Varlor.Backup.Repository;

/// <summary>Content-defined chunking parameters; the gear seed keys the chunk boundaries to this repository.</summary>
public sealed record ChunkerParameters(string Algorithm, int MinSize, int AvgSize, int MaxSize, byte[] GearSeed)
{
    public const string FastCdc = "fastcdc-2020";

    public static ChunkerParameters CreateDefault() =>
        new(FastCdc, 256 * 1024, 1024 * 1024, 4 * 1024 * 1024, System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    public void Validate()
    {
        if (Algorithm != FastCdc) throw new VarlorException($"unsupported chunker '{Algorithm}'");
        if (MinSize < 64 || MinSize >= AvgSize || AvgSize >= MaxSize || MaxSize > 64 * 1024 * 1024 || !int.IsPow2(AvgSize) || GearSeed.Length != 32)
            throw new VarlorException("invalid chunker parameters in repository config");
    }
}

public sealed record CompressionParameters(string Algorithm, int Level);

/// <summary>The repository's config object (sealed, at the root): its identity and how data is cut and packed.</summary>
public sealed record RepositoryConfig(
    int Version,
    string Id,
    DateTimeOffset Created,
    ChunkerParameters Chunker,
    CompressionParameters Compression)
{
    public const int CurrentVersion = 1;

    public static RepositoryConfig CreateNew() => new(
        CurrentVersion,
        Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        DateTimeOffset.UtcNow,
        ChunkerParameters.CreateDefault(),
        new CompressionParameters("zstd", 3));
}
