using Varlor.Backup.Repository;

namespace Varlor.Backup.Engines.Chunking;

/// <summary>
/// Cuts a stream into content-defined chunks, reading it once through a buffer of two maximum chunks.
/// One reader serves a whole backup (call <see cref="Reset"/> per file), so its buffer is allocated once.
/// </summary>
public sealed class ChunkReader(FastCdc chunker) : IDisposable
{
    private readonly byte[] _buffer = GC.AllocateUninitializedArray<byte>(chunker.MaxSize * 2);
    private int _start, _end;
    private bool _eof;
    private Stream? _stream;

    public void Reset(Stream stream)
    {
        _stream = stream;
        _start = _end = 0;
        _eof = false;
    }

    /// <summary>The next chunk, valid until the following call; empty at the end of the stream.</summary>
    public async ValueTask<ReadOnlyMemory<byte>> NextAsync(CancellationToken ct)
    {
        if (_end - _start < chunker.MaxSize && !_eof)
        {
            if (_start > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                _end -= _start;
                _start = 0;
            }
            while (_end < _buffer.Length && !_eof)
            {
                var n = await _stream!.ReadAsync(_buffer.AsMemory(_end), ct);
                if (n == 0) _eof = true;
                _end += n;
                if (_end - _start >= chunker.MaxSize) break;
            }
        }
        if (_end == _start) return ReadOnlyMemory<byte>.Empty;
        var available = _buffer.AsSpan(_start, _end - _start);
        // The fill above guarantees a full maximum chunk unless the stream ended, so a cut here is final.
        var cut = chunker.NextCut(available);
        var chunk = _buffer.AsMemory(_start, cut);
        _start += cut;
        return chunk;
    }

    public void Dispose() => _stream = null;
}
