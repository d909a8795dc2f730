using System.Text.Json;
using System.Text.Json.Serialization;

namespace Varlor.Backup.Repository;

/// <summary>The one JSON configuration used for every stored document (snake_case names, no nulls).</summary>
public static class RepoJson
{
    public static readonly JsonSerializerOptions Options = new()
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower) },
    };

    public static readonly JsonSerializerOptions Indented = new(Options) { WriteIndented = true };
}
