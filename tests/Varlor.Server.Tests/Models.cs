using System.Text.Json;

namespace Varlor.Server.Tests;

// The API's JSON as a client sees it (deliberately not the server's own types).
public sealed record Dataset(
    Guid Id, string Name, string OriginalFileName, string Format, long Size, long RowCount, string Sha256,
    string Status, int Version, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt, DateTimeOffset? DeletedAt,
    List<Column>? Columns);

public sealed record Column(int Position, string Name, string Type, bool Nullable, JsonElement Stats);

public sealed record DatasetPage(List<Dataset> Items, int Limit, int Offset);
