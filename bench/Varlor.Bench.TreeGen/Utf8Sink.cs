namespace Varlor.Bench.TreeGen;

/// <summary>A buffered UTF-8 writer with allocation-free number and timestamp formatting.</summary>
internal sealed class Utf8Sink : IDisposable
{
    private readonly Stream _stream;
    private readonly byte[] _buffer;
    private int _pos;
    private long _flushed;

    public Utf8Sink(Stream stream, int bufferSize = 1 << 20)
    {
        _stream = stream;
        _buffer = new byte[bufferSize];
    }

    public long Written => _flushed + _pos;

    /// <summary>Makes room for at least <paramref name="count"/> bytes.</summary>
    public void Ensure(int count)
    {
        if (_pos + count > _buffer.Length)
        {
            Flush();
        }
    }

    public void Flush()
    {
        _stream.Write(_buffer, 0, _pos);
        _flushed += _pos;
        _pos = 0;
    }

    public void Write(ReadOnlySpan<byte> bytes)
    {
        if (bytes.Length > _buffer.Length - _pos)
        {
            Flush();
            if (bytes.Length > _buffer.Length)
            {
                _stream.Write(bytes);
                _flushed += bytes.Length;
                return;
            }
        }
        bytes.CopyTo(_buffer.AsSpan(_pos));
        _pos += bytes.Length;
    }

    public void WriteByte(byte b)
    {
        Ensure(1);
        _buffer[_pos++] = b;
    }

    public void WriteLong(long value)
    {
        Ensure(20);
        value.TryFormat(_buffer.AsSpan(_pos), out var n, default, System.Globalization.CultureInfo.InvariantCulture);
        _pos += n;
    }

    /// <summary>Writes value / 10^decimals with exactly <paramref name="decimals"/> digits after the point.</summary>
    public void WriteFixed(long value, int decimals)
    {
        Ensure(24);
        if (value < 0)
        {
            _buffer[_pos++] = (byte)'-';
            value = -value;
        }
        long scale = 1;
        for (var i = 0; i < decimals; i++)
        {
            scale *= 10;
        }
        WriteLong(value / scale);
        _buffer[_pos++] = (byte)'.';
        var frac = value % scale;
        for (var i = decimals - 1; i >= 0; i--)
        {
            _buffer[_pos + i] = (byte)('0' + (int)(frac % 10));
            frac /= 10;
        }
        _pos += decimals;
    }

    private void Digits2(int v)
    {
        _buffer[_pos++] = (byte)('0' + v / 10);
        _buffer[_pos++] = (byte)('0' + v % 10);
    }

    /// <summary>yyyy-MM-dd for a day number since 1970-01-01.</summary>
    public void WriteDate(long unixSeconds)
    {
        Ensure(10);
        var d = DateTime.UnixEpoch.AddSeconds(unixSeconds);
        var y = d.Year;
        Digits2(y / 100);
        Digits2(y % 100);
        _buffer[_pos++] = (byte)'-';
        Digits2(d.Month);
        _buffer[_pos++] = (byte)'-';
        Digits2(d.Day);
    }

    /// <summary>ISO 8601 UTC timestamp, e.g. 2026-10-01T12:34:56Z (with milliseconds when asked).</summary>
    public void WriteTimestamp(long unixSeconds, int millis = -1)
    {
        WriteDate(unixSeconds);
        Ensure(14);
        var sod = (int)(unixSeconds % 86400);
        _buffer[_pos++] = (byte)'T';
        Digits2(sod / 3600);
        _buffer[_pos++] = (byte)':';
        Digits2(sod / 60 % 60);
        _buffer[_pos++] = (byte)':';
        Digits2(sod % 60);
        if (millis >= 0)
        {
            _buffer[_pos++] = (byte)'.';
            _buffer[_pos++] = (byte)('0' + millis / 100);
            Digits2(millis % 100);
        }
        _buffer[_pos++] = (byte)'Z';
    }

    public void WriteHex(ulong value, int digits)
    {
        Ensure(digits);
        for (var i = digits - 1; i >= 0; i--)
        {
            _buffer[_pos + i] = (byte)"0123456789abcdef"[(int)(value & 0xF)];
            value >>= 4;
        }
        _pos += digits;
    }

    public void Dispose() => Flush();
}
