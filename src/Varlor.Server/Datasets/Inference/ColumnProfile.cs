using System.Globalization;
using System.Text;
using System.Text.Json;

namespace Varlor.Server.Datasets.Inference;

/// <summary>
/// Accumulates one column's values and narrows its possible types. Empty values are nulls. Numbers with a
/// leading zero ("007") stay text, since they are usually codes. Dates must be ISO 8601.
/// </summary>
internal sealed class ColumnProfile(int position, string name)
{
    private const int MaxSamples = 5;
    private const int MaxSampleLength = 64;
    /// <summary>Samples are the first distinct values among this many; low-cardinality columns stop looking after it.</summary>
    private const int SampleScanLimit = 1000;

    private Candidates _candidates = Candidates.All;
    private long _nonNull;
    private int _maxLength;
    private long _minInt = long.MaxValue, _maxInt = long.MinValue;
    private decimal _minDec = decimal.MaxValue, _maxDec = decimal.MinValue;
    private DateTimeOffset _minTime = DateTimeOffset.MaxValue, _maxTime = DateTimeOffset.MinValue;
    private readonly List<string> _samples = new(MaxSamples);

    public string Name { get; } = name;
    public int Position { get; } = position;

    /// <summary>Row index of the last value added, so that a JSON object repeating a key counts once.</summary>
    public long LastRow { get; set; } = -1;

    public void Add(ReadOnlySpan<char> raw, Candidates allowed = Candidates.All)
    {
        var value = raw.Trim(' ');
        if (value.IsEmpty) return;
        _nonNull++;
        if (raw.Length > _maxLength) _maxLength = raw.Length;
        if (_samples.Count < MaxSamples && _nonNull <= SampleScanLimit) AddSample(raw);

        var c = _candidates & allowed;
        if (c == Candidates.None)
        {
            _candidates = c;
            return;
        }

        if ((c & Candidates.Numeric) != 0)
        {
            if (HasLeadingZero(value))
            {
                c &= ~Candidates.Numeric;
            }
            else if ((c & Candidates.Integer) != 0 &&
                     long.TryParse(value, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l))
            {
                if (l < _minInt) _minInt = l;
                if (l > _maxInt) _maxInt = l;
            }
            else
            {
                if ((c & Candidates.Integer) != 0 && _minInt <= _maxInt)
                {
                    _minDec = _minInt; // every value so far was an integer
                    _maxDec = _maxInt;
                }

                c &= ~Candidates.Integer;
                if ((c & Candidates.Decimal) != 0 && decimal.TryParse(value,
                        NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint | NumberStyles.AllowExponent,
                        CultureInfo.InvariantCulture, out var d))
                {
                    if (d < _minDec) _minDec = d;
                    if (d > _maxDec) _maxDec = d;
                }
                else
                {
                    c &= ~Candidates.Decimal;
                }
            }
        }

        if ((c & Candidates.Boolean) != 0 &&
            !value.Equals("true", StringComparison.OrdinalIgnoreCase) &&
            !value.Equals("false", StringComparison.OrdinalIgnoreCase))
        {
            c &= ~Candidates.Boolean;
        }

        if ((c & Candidates.Temporal) != 0)
        {
            if (IsoDateTime.TryParse(value, out var time, out var hasTime))
            {
                if (hasTime) c &= ~Candidates.Date; // a bare date is also a valid date-time
                if ((c & Candidates.Temporal) != 0) Track(time);
            }
            else
            {
                c &= ~Candidates.Temporal;
            }
        }

        _candidates = c;
    }

    private void Track(DateTimeOffset t)
    {
        if (t < _minTime) _minTime = t;
        if (t > _maxTime) _maxTime = t;
    }

    private static bool HasLeadingZero(ReadOnlySpan<char> v)
    {
        if (v.Length > 0 && (v[0] == '-' || v[0] == '+')) v = v[1..];
        return v.Length > 1 && v[0] == '0' && char.IsAsciiDigit(v[1]);
    }

    private void AddSample(ReadOnlySpan<char> raw)
    {
        var truncated = raw.Length > MaxSampleLength;
        var shown = truncated ? raw[..MaxSampleLength] : raw;
        foreach (var existing in _samples)
        {
            var same = truncated
                ? existing.Length == MaxSampleLength + 1 && existing[^1] == '…' && existing.AsSpan(0, MaxSampleLength).SequenceEqual(shown)
                : existing.AsSpan().SequenceEqual(shown);
            if (same) return;
        }

        _samples.Add(truncated ? string.Concat(shown, "…") : raw.ToString());
    }

    public string Type
    {
        get
        {
            if (_nonNull == 0) return ColumnType.Text;
            var c = _candidates;
            if ((c & Candidates.Integer) != 0) return ColumnType.Integer;
            if ((c & Candidates.Decimal) != 0) return ColumnType.Decimal;
            if ((c & Candidates.Boolean) != 0) return ColumnType.Boolean;
            if ((c & Candidates.Date) != 0) return ColumnType.Date;
            if ((c & Candidates.DateTime) != 0) return ColumnType.DateTime;
            return ColumnType.Text;
        }
    }

    public InferredColumn Finish(long rowCount)
    {
        var type = Type;
        var nulls = rowCount - _nonNull;
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteNumber("nulls", nulls);
            w.WriteNumber("non_null", _nonNull);
            w.WriteNumber("max_length", _maxLength);
            switch (type)
            {
                case ColumnType.Integer when _nonNull > 0:
                    w.WriteNumber("min", _minInt);
                    w.WriteNumber("max", _maxInt);
                    break;
                case ColumnType.Decimal when _nonNull > 0:
                    w.WriteNumber("min", _minDec);
                    w.WriteNumber("max", _maxDec);
                    break;
                case ColumnType.Date when _nonNull > 0:
                    w.WriteString("min", _minTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    w.WriteString("max", _maxTime.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
                    break;
                case ColumnType.DateTime when _nonNull > 0:
                    w.WriteString("min", _minTime.ToString("O", CultureInfo.InvariantCulture));
                    w.WriteString("max", _maxTime.ToString("O", CultureInfo.InvariantCulture));
                    break;
            }

            w.WriteStartArray("samples");
            foreach (var s in _samples) w.WriteStringValue(s);
            w.WriteEndArray();
            w.WriteEndObject();
        }

        return new InferredColumn(Position, Name, type, nulls > 0, Encoding.UTF8.GetString(buffer.ToArray()));
    }
}
