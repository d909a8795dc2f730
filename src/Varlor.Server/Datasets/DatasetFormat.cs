using Varlor.Server.Datasets.Inference;

namespace Varlor.Server.Datasets;

/// <summary>The accepted upload formats, told apart by the file name's extension (or the optional form field "format").</summary>
public sealed record DatasetFormat(string Name, string ContentType)
{
    public static readonly DatasetFormat Csv = new("csv", "text/csv");
    public static readonly DatasetFormat Tsv = new("tsv", "text/tab-separated-values");
    public static readonly DatasetFormat JsonLines = new("jsonl", "application/x-ndjson");

    public static DatasetFormat? FromName(string? name) => name?.Trim().ToLowerInvariant() switch
    {
        "csv" => Csv,
        "tsv" or "tab" => Tsv,
        "jsonl" or "ndjson" or "json-lines" => JsonLines,
        _ => null,
    };

    public static DatasetFormat? FromFileName(string fileName)
    {
        var ext = Path.GetExtension(fileName);
        return ext.Length > 1 ? FromName(ext[1..]) : null;
    }

    public InspectionResult Inspect(Stream stream, CancellationToken ct) => Name switch
    {
        "csv" => DelimitedInspector.Inspect(stream, ',', ct),
        "tsv" => DelimitedInspector.Inspect(stream, '\t', ct),
        _ => JsonLinesInspector.Inspect(stream, ct),
    };
}
