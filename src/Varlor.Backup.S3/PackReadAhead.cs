using System.Collections.Concurrent;

namespace Varlor.Backup.Storage.S3;

/// <summary>
/// Reads packs in aligned windows (e.g. 4 MiB) and keeps the last few, so that the blobs of one pack, read one
/// by one by restore or a tree walk, cost one request per window rather than one each (object stores bill per
/// request, and every request pays a round trip). Concurrent readers of one window share its request. Only
/// pack range reads go through it; what it returns is verified by the repository like any read.
/// </summary>
public sealed class PackReadAhead(IStorageBackend inner, int windowSize = 4 * 1024 * 1024, int windows = 16) : IStorageBackend
{
    private readonly ConcurrentDictionary<(string Pack, long Index), Lazy<Task<byte[]>>> _windows = new();
    private readonly ConcurrentQueue<(string, long)> _order = new();

    public IStorageBackend Inner => inner;
    public string Location => inner.Location;
    public string SpoolFolder => inner.SpoolFolder;
    public int PackUploads => inner.PackUploads;

    public async Task<int> ReadRangeAsync(FileKind kind, string name, long offset, Memory<byte> buffer, CancellationToken ct)
    {
        if (kind != FileKind.Pack || buffer.Length == 0 || buffer.Length > windowSize)
            return await inner.ReadRangeAsync(kind, name, offset, buffer, ct);
        var total = 0;
        while (total < buffer.Length)
        {
            var position = offset + total;
            var index = position / windowSize;
            var window = await WindowAsync(name, index, ct);
            var within = (int)(position - index * windowSize);
            if (within >= window.Length) break; // past the end of the pack
            var n = Math.Min(window.Length - within, buffer.Length - total);
            window.AsMemory(within, n).CopyTo(buffer[total..]);
            total += n;
            if (window.Length < windowSize) break; // the last window: nothing after it
        }
        return total;
    }

    private async Task<byte[]> WindowAsync(string pack, long index, CancellationToken ct)
    {
        var key = (pack, index);
        var lazy = _windows.GetOrAdd(key, k => new Lazy<Task<byte[]>>(() => FetchAsync(k.Pack, k.Index)));
        if (lazy.IsValueCreated is false) Remember(key);
        try
        {
            return await lazy.Value.WaitAsync(ct);
        }
        catch
        {
            _windows.TryRemove(new KeyValuePair<(string, long), Lazy<Task<byte[]>>>(key, lazy)); // a failed read is not kept
            throw;
        }
    }

    private async Task<byte[]> FetchAsync(string pack, long index)
    {
        var buffer = new byte[windowSize];
        // Not the caller's token: the request is shared by every reader of the window.
        var n = await inner.ReadRangeAsync(FileKind.Pack, pack, index * windowSize, buffer, CancellationToken.None);
        return n == buffer.Length ? buffer : buffer[..n];
    }

    private void Remember((string, long) key)
    {
        _order.Enqueue(key);
        while (_order.Count > windows && _order.TryDequeue(out var old)) _windows.TryRemove(old, out _);
    }

    public async Task DeleteAsync(FileKind kind, string name, CancellationToken ct)
    {
        await inner.DeleteAsync(kind, name, ct);
        if (kind == FileKind.Pack)
            foreach (var key in _windows.Keys.Where(k => k.Pack == name)) _windows.TryRemove(key, out _);
    }

    public Task<bool> ExistsAsync(FileKind kind, string name, CancellationToken ct) => inner.ExistsAsync(kind, name, ct);
    public Task SaveAsync(FileKind kind, string name, ReadOnlyMemory<byte> content, CancellationToken ct) => inner.SaveAsync(kind, name, content, ct);
    public Task SaveFileAsync(FileKind kind, string name, string localPath, CancellationToken ct) => inner.SaveFileAsync(kind, name, localPath, ct);
    public Task<int> CleanupTempFilesAsync(TimeSpan minAge, CancellationToken ct) => inner.CleanupTempFilesAsync(minAge, ct);
    public Task<byte[]> ReadAsync(FileKind kind, string name, CancellationToken ct) => inner.ReadAsync(kind, name, ct);
    public Task<long> SizeAsync(FileKind kind, string name, CancellationToken ct) => inner.SizeAsync(kind, name, ct);
    public IAsyncEnumerable<(string Name, long Size)> ListAsync(FileKind kind, CancellationToken ct) => inner.ListAsync(kind, ct);
    public Task CreateAsync(CancellationToken ct) => inner.CreateAsync(ct);
}
