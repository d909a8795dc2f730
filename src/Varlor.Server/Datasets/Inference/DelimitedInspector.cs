using nietras.SeparatedValues;

namespace Varlor.Server.Datasets.Inference;

/// <summary>
/// Reads CSV or TSV with Sep (header row required) and infers column types. Quotes follow RFC 4180:
/// a field containing a double quote must be wholly quoted, with inner quotes doubled.
/// </summary>
internal static class DelimitedInspector
{
    public static InspectionResult Inspect(Stream stream, char separator, CancellationToken ct)
    {
        using var text = TextInput.Open(stream);
        using var reader = Open(text, separator);

        var header = reader.Header.ColNames;
        if (header.Count == 0 || (header.Count == 1 && header[0].Trim().Length == 0))
            throw new DatasetFormatException("the first line must be a header row naming the columns, but it is empty");

        var columns = new ColumnProfile[header.Count];
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < header.Count; i++)
        {
            var name = Unquote(header[i], 1, i, null).Trim();
            TextInput.RejectNul(name, 1);
            if (name.Length == 0)
                throw new DatasetFormatException($"column {i + 1} of the header row has no name");
            if (name.Length > 200)
                throw new DatasetFormatException($"column {i + 1} of the header row has a name longer than 200 characters");
            if (!seen.Add(name))
                throw new DatasetFormatException($"the header row names column '{name}' twice");
            columns[i] = new ColumnProfile(i, name);
        }

        long rows = 0;
        foreach (var row in reader)
        {
            if ((rows & 0x3FF) == 0) ct.ThrowIfCancellationRequested();
            var line = row.LineNumberFrom;
            if (row.ColCount != columns.Length)
            {
                if (row.ColCount == 1 && row[0].Span.Trim("\r\n ").IsEmpty) continue; // blank line
                throw new DatasetFormatException(
                    $"line {line} has {row.ColCount} field(s) but the header has {columns.Length}");
            }

            for (var i = 0; i < columns.Length; i++)
            {
                var raw = row[i].Span;
                TextInput.RejectNul(raw, line);
                if (raw.Contains('"'))
                    columns[i].Add(Unquote(raw, line, i, columns[i].Name));
                else
                    columns[i].Add(raw);
            }

            rows++;
        }

        return new InspectionResult(rows, columns.Select(c => c.Finish(rows)).ToList());
    }

    private static SepReader Open(TextReader text, char separator)
    {
        try
        {
            return Sep.New(separator)
                .Reader(o => o with { HasHeader = true, Unescape = false, DisableColCountCheck = true })
                .From(text);
        }
        catch (ArgumentException e) when (e is not System.Text.DecoderFallbackException)
        {
            throw new DatasetFormatException($"the header row is not valid: {e.Message}"); // Sep refuses duplicate names
        }
    }

    private static string Unquote(ReadOnlySpan<char> raw, long line, int index, string? column)
    {
        if (!raw.Contains('"')) return raw.ToString();
        var inner = raw.Length >= 2 && raw[0] == '"' && raw[^1] == '"' ? raw[1..^1] : default;
        var ok = raw.Length >= 2 && raw[0] == '"' && raw[^1] == '"';
        for (var i = 0; ok && i < inner.Length; i++)
        {
            if (inner[i] != '"') continue;
            if (i + 1 < inner.Length && inner[i + 1] == '"') i++;
            else ok = false;
        }

        if (!ok)
        {
            var where = column is null ? $"header column {index + 1}" : $"column '{column}'";
            throw new DatasetFormatException(
                $"line {line}, {where}: unbalanced or stray double quote (a field with a quote must be wholly quoted, with inner quotes doubled)");
        }

        return inner.ToString().Replace("\"\"", "\"", StringComparison.Ordinal);
    }
}
