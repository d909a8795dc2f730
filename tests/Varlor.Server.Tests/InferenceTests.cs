using System.Text;
using System.Text.Json;
using Varlor.Server.Datasets;
using Varlor.Server.Datasets.Inference;

namespace Varlor.Server.Tests;

/// <summary>Column inference on its own (no server needed: it is pure computation over a stream).</summary>
public sealed class InferenceTests
{
    private static InspectionResult Inspect(string fileName, string text) =>
        DatasetFormat.FromFileName(fileName)!.Inspect(new MemoryStream(Encoding.UTF8.GetBytes(text)), CancellationToken.None);

    private static string Types(InspectionResult r) => string.Join(",", r.Columns.Select(c => $"{c.Name}:{c.Type}{(c.Nullable ? "?" : "")}"));

    [Fact]
    public void Csv_types_nulls_and_codes()
    {
        var r = Inspect("x.csv", """
            int,neg,dec,exp,bool,date,ts,zip,mixed,empty
            1,-5,1.5,1e3,true,2024-01-01,2024-01-01T10:00:00Z,007,1,
            2,,2,2.5E-2,False,2024-02-29,2024-01-02 11:30,012,x,
            """);
        Assert.Equal(2, r.RowCount);
        Assert.Equal("int:integer,neg:integer?,dec:decimal,exp:decimal,bool:boolean,date:date,ts:datetime,zip:text,mixed:text,empty:text?", Types(r));
    }

    [Fact]
    public void Dates_mixed_with_datetimes_are_datetimes_and_bad_dates_are_text()
    {
        Assert.Equal("d:datetime", Types(Inspect("x.csv", "d\n2024-01-01\n2024-01-01T00:00:01\n")));
        Assert.Equal("d:text", Types(Inspect("x.csv", "d\n2024-02-30\n")));
        Assert.Equal("d:text", Types(Inspect("x.csv", "d\n01/02/2024\n")));
    }

    [Fact]
    public void Stats_hold_counts_range_and_samples()
    {
        var r = Inspect("x.csv", "n,s\n3,a\n-1,b\n10,a\n,\"c, d\"\n");
        using var n = JsonDocument.Parse(r.Columns[0].StatsJson);
        Assert.Equal(1, n.RootElement.GetProperty("nulls").GetInt32());
        Assert.Equal(3, n.RootElement.GetProperty("non_null").GetInt32());
        Assert.Equal(-1, n.RootElement.GetProperty("min").GetInt32());
        Assert.Equal(10, n.RootElement.GetProperty("max").GetInt32());
        using var s = JsonDocument.Parse(r.Columns[1].StatsJson);
        Assert.Equal(["a", "b", "c, d"], s.RootElement.GetProperty("samples").EnumerateArray().Select(e => e.GetString()));
        Assert.False(s.RootElement.TryGetProperty("min", out _));
    }

    [Fact]
    public void Tsv_crlf_bom_blank_lines_and_header_only()
    {
        Assert.Equal("a:integer,b:text", Types(Inspect("x.tsv", "\uFEFFa\tb\r\n1\tx\r\n\r\n2\ty\r\n")));
        var headerOnly = Inspect("x.csv", "a,b\n");
        Assert.Equal(0, headerOnly.RowCount);
        Assert.Equal("a:text,b:text", Types(headerOnly));
    }

    [Fact]
    public void Quoted_fields_may_hold_separators_newlines_and_doubled_quotes()
    {
        var r = Inspect("x.csv", "a,b\n\"1\",\"line\nbreak, and \"\"quote\"\"\"\n");
        Assert.Equal(1, r.RowCount);
        Assert.Equal("a:integer,b:text", Types(r));
        using var b = JsonDocument.Parse(r.Columns[1].StatsJson);
        Assert.Equal("line\nbreak, and \"quote\"", b.RootElement.GetProperty("samples")[0].GetString());
    }

    [Fact]
    public void Json_lines_union_of_keys_json_types_respected()
    {
        var r = Inspect("x.jsonl", """
            {"id": 1, "code": "007", "price": 2.5, "ok": true, "at": "2024-05-01T12:00:00Z", "tags": ["a"]}

            {"id": 2, "code": "12", "price": 3, "ok": false, "extra": null}
            """);
        Assert.Equal(2, r.RowCount);
        Assert.Equal("id:integer,code:text,price:decimal,ok:boolean,at:datetime?,tags:text?,extra:text?", Types(r));
    }

    [Fact]
    public void Big_numbers_fall_back_sensibly()
    {
        Assert.Equal("n:decimal", Types(Inspect("x.csv", "n\n99999999999999999999\n")));
        Assert.Equal("n:text", Types(Inspect("x.csv", "n\n1e400\n")));
    }
}

public sealed class IsoDateTimeTests
{
    [Theory]
    [InlineData("2024-02-29", true, false)]
    [InlineData("2023-02-29", false, false)]
    [InlineData("2024-13-01", false, false)]
    [InlineData("2024-01-01T10:00", true, true)]
    [InlineData("2024-01-01 10:00:59", true, true)]
    [InlineData("2024-01-01T10:00:00.1234567890Z", true, true)]
    [InlineData("2024-01-01T10:00:00+02:00", true, true)]
    [InlineData("2024-01-01T10:00:00-0530", true, true)]
    [InlineData("2024-01-01T24:00:00", false, false)]
    [InlineData("2024-01-01T10:00:00 UTC", false, false)]
    [InlineData("2024-1-01", false, false)]
    [InlineData("20240101", false, false)]
    public void Parses_strict_iso_8601(string text, bool ok, bool hasTime)
    {
        Assert.Equal(ok, Varlor.Server.Datasets.Inference.IsoDateTime.TryParse(text, out _, out var time));
        Assert.Equal(hasTime, time);
    }

    [Fact]
    public void Offsets_are_applied()
    {
        Assert.True(Varlor.Server.Datasets.Inference.IsoDateTime.TryParse("2024-01-01T10:00:00+02:00", out var t, out _));
        Assert.Equal(new DateTimeOffset(2024, 1, 1, 8, 0, 0, TimeSpan.Zero), t.ToUniversalTime());
    }
}

public sealed class SampleTests
{
    [Fact]
    public void Samples_are_distinct_and_long_values_truncated()
    {
        var longValue = new string('x', 100);
        var r = Varlor.Server.Datasets.DatasetFormat.Csv.Inspect(
            new MemoryStream(System.Text.Encoding.UTF8.GetBytes($"s\na\nab\na\n{longValue}\n{longValue}\n")), CancellationToken.None);
        using var stats = JsonDocument.Parse(r.Columns[0].StatsJson);
        Assert.Equal(["a", "ab", new string('x', 64) + "…"], stats.RootElement.GetProperty("samples").EnumerateArray().Select(e => e.GetString()));
        Assert.Equal(100, stats.RootElement.GetProperty("max_length").GetInt32());
    }
}
