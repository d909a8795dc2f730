using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;

namespace Varlor.Backup.S3.Tests.Faults;

/// <summary>
/// A small HTTP/1.1 proxy on 127.0.0.1 between the S3 client and s3rver that injects faults at a configurable
/// rate: error answers (500, 503 SlowDown), connection resets before the server sees a request or in the middle
/// of its answer, truncated bodies, and delays. One request per connection (upstream answers with
/// Connection: close), which is how it can cut answers anywhere.
/// </summary>
public sealed class FaultProxy : IAsyncDisposable
{
    private static readonly Fault[] Kinds = [Fault.InternalError, Fault.SlowDown, Fault.ResetBeforeServer, Fault.ResetMidResponse, Fault.TruncatedBody, Fault.Delay];
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly int _upstreamPort;
    private readonly Random _random;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _accept;

    public FaultProxy(int upstreamPort, double rate, int seed = 1)
    {
        _upstreamPort = upstreamPort;
        Rate = rate;
        _random = new Random(seed);
        _listener.Start();
        _accept = AcceptLoopAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;
    /// <summary>Share of requests that get a fault (0..1).</summary>
    public double Rate { get; set; }
    /// <summary>When set, every request is answered by a connection reset: the store is unreachable.</summary>
    public bool Unreachable { get; set; }
    public TimeSpan DelayBy { get; set; } = TimeSpan.FromMilliseconds(300);
    /// <summary>Called after the server answered a request (method, path): lets a test change the proxy's mind mid-run.</summary>
    public Action<string, string>? AfterForward { get; set; }
    public ConcurrentDictionary<Fault, int> Injected { get; } = new();
    public int Requests => _requests;
    private int _requests;

    private Fault Choose()
    {
        if (Unreachable) return Fault.ResetBeforeServer;
        lock (_random)
            return _random.NextDouble() < Rate ? Kinds[_random.Next(Kinds.Length)] : Fault.None;
    }

    private async Task AcceptLoopAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient client;
            try { client = await _listener.AcceptTcpClientAsync(_stop.Token); }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or SocketException) { return; }
            _ = Task.Run(() => HandleAsync(client));
        }
    }

    private async Task HandleAsync(TcpClient client)
    {
        using var _ = client;
        try
        {
            var stream = client.GetStream();
            var (head, body) = await ReadRequestAsync(stream);
            if (head is null) return;
            Interlocked.Increment(ref _requests);
            var fault = Choose();
            if (fault != Fault.None) Injected.AddOrUpdate(fault, 1, (_, n) => n + 1);
            var requestLine = head[..head.IndexOf("\r\n", StringComparison.Ordinal)].Split(' ');
            var (method, path) = (requestLine[0], requestLine[1]);
            switch (fault)
            {
                case Fault.InternalError:
                    await WriteErrorAsync(stream, method, 500, "Internal Server Error", "InternalError");
                    return;
                case Fault.SlowDown:
                    await WriteErrorAsync(stream, method, 503, "Slow Down", "SlowDown");
                    return;
                case Fault.ResetBeforeServer:
                    Reset(client);
                    return;
                case Fault.Delay:
                    await Task.Delay(DelayBy, _stop.Token);
                    break;
            }
            var response = await ForwardAsync(head, body);
            AfterForward?.Invoke(method, path);
            var headerEnd = IndexOf(response, "\r\n\r\n"u8) + 4;
            switch (fault)
            {
                case Fault.ResetMidResponse:
                    await stream.WriteAsync(response.AsMemory(0, Math.Max(1, response.Length / 2)));
                    Reset(client);
                    return;
                case Fault.TruncatedBody:
                    var cut = headerEnd + (response.Length - headerEnd) / 2;
                    await stream.WriteAsync(response.AsMemory(0, Math.Max(1, cut == response.Length ? headerEnd - 2 : cut)));
                    client.Client.Shutdown(SocketShutdown.Send);
                    return;
                default:
                    await stream.WriteAsync(response);
                    return;
            }
        }
        catch (Exception e) when (e is IOException or SocketException or OperationCanceledException or ObjectDisposedException)
        {
            // The client went away: nothing to do.
        }
    }

    private static void Reset(TcpClient client)
    {
        client.Client.LingerState = new LingerOption(true, 0);
        client.Client.Close();
    }

    private static async Task<(string? Head, byte[] Body)> ReadRequestAsync(NetworkStream stream)
    {
        var buffer = new MemoryStream();
        var chunk = new byte[64 * 1024];
        int headerEnd;
        while ((headerEnd = IndexOf(buffer.GetBuffer().AsSpan(0, (int)buffer.Length), "\r\n\r\n"u8)) < 0)
        {
            var n = await stream.ReadAsync(chunk);
            if (n == 0) return (null, []);
            buffer.Write(chunk, 0, n);
        }
        var head = Encoding.ASCII.GetString(buffer.GetBuffer(), 0, headerEnd + 4);
        var length = 0L;
        var expectContinue = false;
        foreach (var line in head.Split("\r\n"))
        {
            if (line.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase)) length = long.Parse(line[15..].Trim(), CultureInfo.InvariantCulture);
            if (line.StartsWith("Expect:", StringComparison.OrdinalIgnoreCase) && line.Contains("100-continue", StringComparison.OrdinalIgnoreCase)) expectContinue = true;
        }
        if (expectContinue) await stream.WriteAsync("HTTP/1.1 100 Continue\r\n\r\n"u8.ToArray());
        var body = new MemoryStream();
        body.Write(buffer.GetBuffer(), headerEnd + 4, (int)buffer.Length - headerEnd - 4);
        while (body.Length < length)
        {
            var n = await stream.ReadAsync(chunk.AsMemory(0, (int)Math.Min(chunk.Length, length - body.Length)));
            if (n == 0) return (null, []);
            body.Write(chunk, 0, n);
        }
        return (head, body.ToArray());
    }

    /// <summary>Sends the request to the server on a new connection (Connection: close, no Expect) and reads the whole answer.</summary>
    private async Task<byte[]> ForwardAsync(string head, byte[] body)
    {
        var lines = head.Split("\r\n").Where(l => l.Length > 0 &&
            !l.StartsWith("Connection:", StringComparison.OrdinalIgnoreCase) && !l.StartsWith("Expect:", StringComparison.OrdinalIgnoreCase));
        var rewritten = string.Join("\r\n", lines) + "\r\nConnection: close\r\n\r\n";
        using var upstream = new TcpClient();
        await upstream.ConnectAsync(IPAddress.Loopback, _upstreamPort, _stop.Token);
        var s = upstream.GetStream();
        await s.WriteAsync(Encoding.ASCII.GetBytes(rewritten), _stop.Token);
        await s.WriteAsync(body, _stop.Token);
        var response = new MemoryStream();
        await s.CopyToAsync(response, _stop.Token);
        return response.ToArray();
    }

    private static async Task WriteErrorAsync(NetworkStream stream, string method, int status, string reason, string code)
    {
        var xml = $"<?xml version=\"1.0\" encoding=\"UTF-8\"?><Error><Code>{code}</Code><Message>injected by the test proxy</Message><RequestId>fault</RequestId></Error>";
        var body = method == "HEAD" ? "" : xml;
        var answer = $"HTTP/1.1 {status} {reason}\r\nContent-Type: application/xml\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\nConnection: close\r\n\r\n{body}";
        await stream.WriteAsync(Encoding.UTF8.GetBytes(answer));
    }

    private static int IndexOf(ReadOnlySpan<byte> haystack, ReadOnlySpan<byte> needle) => haystack.IndexOf(needle);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        _listener.Stop();
        try { await _accept; } catch (OperationCanceledException) { }
        _stop.Dispose();
    }
}
