namespace Varlor.Backup.Postgres.Common;

/// <summary>
/// A tool's standard output as a read-only stream whose end is only reported once the tool exited with success:
/// a dump killed half-way throws instead of looking like a short, complete file.
/// </summary>
internal sealed class ToolOutputStream(ChildProcess child) : Stream
{
    private readonly Stream _inner = child.StandardOutput;
    private long _length;

    public long BytesRead => _length;
    public override bool CanRead => true;
    public override bool CanSeek => false;
    public override bool CanWrite => false;
    public override long Length => throw new NotSupportedException();
    public override long Position { get => _length; set => throw new NotSupportedException(); }

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        var n = await _inner.ReadAsync(buffer, cancellationToken);
        if (n == 0 && buffer.Length > 0) await child.WaitAsync(cancellationToken);
        _length += n;
        return n;
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer, offset, count).GetAwaiter().GetResult();
    public override void Flush() { }
    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
    public override void SetLength(long value) => throw new NotSupportedException();
    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
}
