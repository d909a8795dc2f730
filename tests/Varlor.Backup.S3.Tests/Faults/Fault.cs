namespace Varlor.Backup.S3.Tests.Faults;

/// <summary>What the proxy does to one request.</summary>
public enum Fault
{
    None,
    /// <summary>500 InternalError, without asking the server.</summary>
    InternalError,
    /// <summary>503 SlowDown (throttling), without asking the server.</summary>
    SlowDown,
    /// <summary>Connection reset after reading the request, before the server sees it.</summary>
    ResetBeforeServer,
    /// <summary>The server handled the request; the connection is reset halfway through its answer.</summary>
    ResetMidResponse,
    /// <summary>The server handled the request; the answer is cut short (headers, then half the body, then FIN).</summary>
    TruncatedBody,
    /// <summary>The answer is delayed (slow network), then sent whole.</summary>
    Delay,
}
