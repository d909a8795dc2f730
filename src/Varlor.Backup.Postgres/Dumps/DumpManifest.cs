using System.Text.Json;
using System.Text.Json.Serialization;

namespace Varlor.Backup.Postgres.Dumps;

/// <summary>
/// What a dump recorded, stored as manifest.json beside the dump in the snapshot (snake_case JSON). Row counts,
/// checksums and the objects of every table come from the same transaction snapshot as the dump.
/// </summary>
public sealed record DumpManifest
{
    public int Version { get; init; } = 1;
    public required string Database { get; init; }
    public required string ServerVersion { get; init; }
    public required string PgDumpVersion { get; init; }
    /// <summary>pg_dump's format and options, e.g. "custom --compress=0".</summary>
    public required string Format { get; init; }
    public required string Encoding { get; init; }
    public required string Collate { get; init; }
    public required string Ctype { get; init; }
    /// <summary>The database's owner: restores create the new database with this owner (null in dumps made before it was recorded).</summary>
    public string? Owner { get; init; }
    public required DateTimeOffset Started { get; init; }
    public DateTimeOffset Finished { get; init; }
    public double DurationSeconds { get; init; }
    public long DumpBytes { get; init; }
    public long DatabaseBytes { get; init; }
    public required List<TableInfo> Tables { get; init; }

    public static readonly JsonSerializerOptions Json = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
    };

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, Json);
    public static DumpManifest FromJson(byte[] bytes) => JsonSerializer.Deserialize<DumpManifest>(bytes, Json)
        ?? throw new JsonException("empty manifest");

    public TableInfo? Find(string schema, string name) => Tables.Find(t => t.Schema == schema && t.Name == name);
}

/// <summary>One table at dump time: its exact row count, a content checksum (when asked), and its dependent objects.</summary>
public sealed record TableInfo
{
    public required string Schema { get; init; }
    public required string Name { get; init; }
    public long Rows { get; init; }
    /// <summary>md5 over the sorted md5 of every row's text form (UTC, ISO dates); null when not computed.</summary>
    public string? Checksum { get; init; }
    public List<string> Sequences { get; init; } = [];
    public List<string> Indexes { get; init; } = [];
    public List<ConstraintInfo> Constraints { get; init; } = [];
    public List<string> Defaults { get; init; } = [];
    public List<string> Triggers { get; init; } = [];

    [JsonIgnore] public string QualifiedName => $"{Schema}.{Name}";
}

/// <summary>A primary key, unique, exclusion or foreign key constraint; References is the referenced table of a foreign key.</summary>
public sealed record ConstraintInfo(string Name, string Type, string? ReferencesSchema = null, string? ReferencesTable = null);
