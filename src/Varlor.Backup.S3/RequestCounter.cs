namespace Varlor.Backup.Storage.S3;

/// <summary>Counts the HTTP requests a backend sends (users of paid object stores pay per request). Thread-safe.</summary>
public sealed class RequestCounter
{
    private long _get, _put, _list, _head, _delete, _other;

    public long Get => Interlocked.Read(ref _get);
    public long Put => Interlocked.Read(ref _put);
    public long List => Interlocked.Read(ref _list);
    public long Head => Interlocked.Read(ref _head);
    public long Delete => Interlocked.Read(ref _delete);
    /// <summary>Multipart create/complete/abort, bucket operations.</summary>
    public long Other => Interlocked.Read(ref _other);
    public long Total => Get + Put + List + Head + Delete + Other;

    internal void Count(RequestKind kind)
    {
        switch (kind)
        {
            case RequestKind.Get: Interlocked.Increment(ref _get); break;
            case RequestKind.Put: Interlocked.Increment(ref _put); break;
            case RequestKind.List: Interlocked.Increment(ref _list); break;
            case RequestKind.Head: Interlocked.Increment(ref _head); break;
            case RequestKind.Delete: Interlocked.Increment(ref _delete); break;
            default: Interlocked.Increment(ref _other); break;
        }
    }

    public RequestCounts Snapshot() => new(Total, Get, Put, List, Head, Delete, Other);
}

public sealed record RequestCounts(long Total, long Get, long Put, long List, long Head, long Delete, long Other);

internal enum RequestKind { Get, Put, List, Head, Delete, Other }
