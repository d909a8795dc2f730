using System.Text.Json;

namespace Varlor.Server.Datasets.Inference;

/// <summary>
/// JSON lines: one JSON object per line (blank lines are skipped). Columns are the union of the keys, in the
/// order first seen; a key missing from a row is a null. JSON strings are text or dates, never numbers.
/// </summary>
internal static class JsonLinesInspector
{
    public static InspectionResult Inspect(Stream stream, CancellationToken ct)
    {
        using var text = TextInput.Open(stream);
        var columns = new List<ColumnProfile>();
        var byName = new Dictionary<string, ColumnProfile>(StringComparer.Ordinal);
        long rows = 0, line = 0;
        while (text.ReadLine() is { } content)
        {
            line++;
            if ((line & 0x3FF) == 0) ct.ThrowIfCancellationRequested();
            if (string.IsNullOrWhiteSpace(content)) continue;
            TextInput.RejectNul(content, line);
            JsonDocument doc;
            try
            {
                doc = JsonDocument.Parse(content);
            }
            catch (JsonException e)
            {
                throw new DatasetFormatException($"line {line} is not valid JSON: {e.Message}");
            }

            using (doc)
            {
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                    throw new DatasetFormatException($"line {line} is a JSON {doc.RootElement.ValueKind.ToString().ToLowerInvariant()}, but each line must be an object");
                foreach (var property in doc.RootElement.EnumerateObject())
                {
                    if (!byName.TryGetValue(property.Name, out var column))
                    {
                        if (property.Name.Trim().Length == 0)
                            throw new DatasetFormatException($"line {line} has a key with no name");
                        TextInput.RejectNul(property.Name, line);
                        column = new ColumnProfile(columns.Count, property.Name);
                        columns.Add(column);
                        byName.Add(property.Name, column);
                    }

                    if (column.LastRow == rows) continue; // repeated key in one object: the first one counts
                    column.LastRow = rows;
                    Add(column, property.Value);
                }
            }

            rows++;
        }

        if (rows == 0)
            throw new DatasetFormatException("the file has no JSON objects (only blank lines)");
        return new InspectionResult(rows, columns.Select(c => c.Finish(rows)).ToList());
    }

    private static void Add(ColumnProfile column, JsonElement value)
    {
        switch (value.ValueKind)
        {
            case JsonValueKind.Null:
                break;
            case JsonValueKind.Number:
                column.Add(value.GetRawText(), Candidates.Numeric);
                break;
            case JsonValueKind.True or JsonValueKind.False:
                column.Add(value.GetRawText(), Candidates.Boolean);
                break;
            case JsonValueKind.String:
                var s = value.GetString()!;
                if (s.Contains('\0')) throw new DatasetFormatException("a JSON string contains a NUL character");
                column.Add(s, Candidates.Temporal); // an empty string counts as a null, as in CSV
                break;
            default:
                column.Add(value.GetRawText(), Candidates.None);
                break;
        }
    }
}
