using System.Text.Json;

namespace Varlor.Server.Datasets;

/// <summary>A dataset as the API returns it; Columns is null in lists.</summary>
public sealed record DatasetView(
    Guid Id,
    string Name,
    string OriginalFileName,
    string Format,
    long Size,
    long RowCount,
    string Sha256,
    string Status,
    int Version,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? DeletedAt,
    IReadOnlyList<ColumnView>? Columns);

public sealed record ColumnView(int Position, string Name, string Type, bool Nullable, JsonElement Stats);

public sealed record DatasetList(IReadOnlyList<DatasetView> Items, int Limit, int Offset);

/// <summary>Where a dataset's current file is, for downloads.</summary>
public sealed record StoredFile(string RelativePath, string OriginalFileName, string Format, string Sha256);
