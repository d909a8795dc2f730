using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;
using Varlor.Backup.Repository.Index;
using Varlor.Backup.Repository.Keys;
using Varlor.Backup.Repository.Locks;
using Varlor.Backup.Repository.Snapshots;
using Varlor.Backup.Repository.Trees;

namespace Varlor.Backup.Repository;

/// <summary>
/// The one JSON configuration used for every stored document (snake_case names, no nulls). Stored types use
/// source-generated metadata: no reflection at start-up, which every short command (a no-change backup, a WAL
/// push) would otherwise pay. Other types (command output) fall back to reflection.
/// </summary>
public static class RepoJson
{
    public static readonly JsonSerializerOptions Options = Create(indented: false);
    public static readonly JsonSerializerOptions Indented = Create(indented: true);

    private static JsonSerializerOptions Create(bool indented) => new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
        WriteIndented = indented,
        TypeInfoResolver = JsonTypeInfoResolver.Combine(RepoJsonContext.Default, new DefaultJsonTypeInfoResolver()),
    };
}

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(RepositoryConfig))]
[JsonSerializable(typeof(KeyFile))]
[JsonSerializable(typeof(MasterKey))]
[JsonSerializable(typeof(IndexDocument))]
[JsonSerializable(typeof(Tree))]
[JsonSerializable(typeof(Snapshot))]
[JsonSerializable(typeof(LockInfo))]
internal sealed partial class RepoJsonContext : JsonSerializerContext;
