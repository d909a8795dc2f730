namespace Varlor.Server.Datasets.Inference;

/// <summary>The types a column can be inferred as; the names are what dataset_columns.type stores.</summary>
public static class ColumnType
{
    public const string Integer = "integer";
    public const string Decimal = "decimal";
    public const string Boolean = "boolean";
    public const string Date = "date";
    public const string DateTime = "datetime";
    public const string Text = "text";
}

[Flags]
internal enum Candidates
{
    None = 0,
    Integer = 1,
    Decimal = 2,
    Boolean = 4,
    Date = 8,
    DateTime = 16,
    All = Integer | Decimal | Boolean | Date | DateTime,
    Numeric = Integer | Decimal,
    Temporal = Date | DateTime,
}

/// <summary>One inferred column, as stored in dataset_columns.</summary>
public sealed record InferredColumn(int Position, string Name, string Type, bool Nullable, string StatsJson);

/// <summary>What inspecting a file found.</summary>
public sealed record InspectionResult(long RowCount, IReadOnlyList<InferredColumn> Columns);
