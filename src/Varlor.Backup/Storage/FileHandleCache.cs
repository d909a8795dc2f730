using Microsoft.Win32.SafeHandles;

namespace Varlor.Backup.Storage;

/// <summary>
/// Open read handles of immutable files (packs), so reading many blobs of one pack costs one open. Bounded;
/// the least recently used handle is closed first. A handle whose file was deleted still reads the old content,
/// which is what an immutable, content-named file promises.
/// </summary>
internal sealed class FileHandleCache(int capacity) : IDisposable
{
    private readonly Lock _lock = new();
    private readonly Dictionary<string, LinkedListNode<(string Path, SafeFileHandle Handle)>> _map = [];
    private readonly LinkedList<(string Path, SafeFileHandle Handle)> _order = [];

    public SafeFileHandle Get(string path)
    {
        lock (_lock)
        {
            if (_map.TryGetValue(path, out var node))
            {
                _order.Remove(node);
                _order.AddFirst(node);
                return node.Value.Handle;
            }
        }
        var handle = File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        lock (_lock)
        {
            if (_map.TryGetValue(path, out var raced))
            {
                handle.Dispose();
                return raced.Value.Handle;
            }
            _map[path] = _order.AddFirst((path, handle));
            if (_map.Count > capacity)
            {
                // Closing while another thread reads would fail that read: keep evicted handles alive until
                // collected instead (they are few, and each is one descriptor).
                var last = _order.Last!;
                _order.RemoveLast();
                _map.Remove(last.Value.Path);
            }
            return handle;
        }
    }

    public void Dispose()
    {
        lock (_lock)
        {
            foreach (var (_, h) in _order) h.Dispose();
            _order.Clear();
            _map.Clear();
        }
    }
}
