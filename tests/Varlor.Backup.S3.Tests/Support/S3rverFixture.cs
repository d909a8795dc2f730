using System.Diagnostics;
using System.Text.RegularExpressions;
using Amazon.Runtime;
using Varlor.Backup.Storage.S3;

namespace Varlor.Backup.S3.Tests.Support;

/// <summary>
/// One s3rver (npm s3rver 3.7.1, installed by .ci/install-deps) on 127.0.0.1 with a free port and its own data
/// folder, and one fresh bucket, per test class. Stopped (process tree killed) and removed on dispose.
/// </summary>
public sealed partial class S3rverFixture : IAsyncLifetime
{
    public const string AccessKey = "S3RVER";
    public const string SecretKey = "S3RVER";
    private static readonly string[] Candidates =
    [
        Environment.GetEnvironmentVariable("VARLOR_S3RVER_JS") ?? "",
        "/opt/varlor-test-tools/node_modules/s3rver/bin/s3rver.js",
        Path.Combine(AppContext.BaseDirectory, "../../../../../.tools/node_modules/s3rver/bin/s3rver.js"),
    ];

    private Process? _node;
    private readonly string _dir = Path.Combine(Path.GetTempPath(), "varlor-s3rver-" + Guid.NewGuid().ToString("N")[..10]);

    public int Port { get; private set; }
    public string Endpoint => $"http://127.0.0.1:{Port}";
    public string Bucket { get; } = "varlor-" + Guid.NewGuid().ToString("N")[..12];
    /// <summary>The data folder of the server (objects as files: used to check what was really stored).</summary>
    public string DataFolder => _dir;

    /// <summary>
    /// Options s3rver needs: no aws-chunked framing (it would store the frames), path-style addressing; and multipart
    /// from 8 MiB (the default is above the pack size), so that the backend tests upload in parts.
    /// </summary>
    public static S3Options Options => new() { UseChunkEncoding = false, ForcePathStyle = true, MaxParallelRequests = 8, MultipartThreshold = 8 * S3Options.MiB };

    public string Location(string prefix) => $"s3:{Endpoint}/{Bucket}/{prefix}";

    public S3Backend Backend(string prefix, S3Options? options = null) =>
        new(S3Location.Parse(Location(prefix)), options ?? Options, new BasicAWSCredentials(AccessKey, SecretKey));

    public async Task InitializeAsync()
    {
        var script = Candidates.FirstOrDefault(File.Exists)
            ?? throw new InvalidOperationException("s3rver is not installed: run .ci/install-deps (npm install --prefix /opt/varlor-test-tools s3rver@3.7.1)");
        Directory.CreateDirectory(_dir);
        // Through a shell that stops node when its stdin (our pipe) closes: a test host that dies leaves no server behind.
        var psi = new ProcessStartInfo("/bin/sh") { RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false };
        foreach (var a in new[] { "-c", "node \"$@\" & p=$!; cat >/dev/null; kill $p", "sh", script, "-d", _dir, "-a", "127.0.0.1", "-p", "0", "-s" }) psi.ArgumentList.Add(a);
        // On Node 20, s3rver's paginated listings answer 500 without the legacy OpenSSL provider.
        psi.Environment["NODE_OPTIONS"] = "--openssl-legacy-provider";
        _node = Process.Start(psi) ?? throw new InvalidOperationException("could not start node");
        var ready = new TaskCompletionSource<int>(TaskCreationOptions.RunContinuationsAsynchronously);
        var errors = new System.Text.StringBuilder();
        _node.OutputDataReceived += (_, e) =>
        {
            if (e.Data is { } line && Listening().Match(line) is { Success: true } m) ready.TrySetResult(int.Parse(m.Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture));
        };
        _node.ErrorDataReceived += (_, e) => { if (e.Data is not null) lock (errors) errors.AppendLine(e.Data); };
        _node.Exited += (_, _) => ready.TrySetException(new InvalidOperationException("s3rver exited: " + errors));
        _node.EnableRaisingEvents = true;
        _node.BeginOutputReadLine();
        _node.BeginErrorReadLine();
        Port = await ready.Task.WaitAsync(TimeSpan.FromSeconds(30));
        using var backend = Backend("");
        await backend.CreateAsync(CancellationToken.None); // creates the bucket
    }

    public Task DisposeAsync()
    {
        if (_node is { HasExited: false })
        {
            try { _node.StandardInput.Close(); } catch (IOException) { }
            try { _node.Kill(entireProcessTree: true); _node.WaitForExit(10_000); } catch (InvalidOperationException) { }
        }
        _node?.Dispose();
        try { Directory.Delete(_dir, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        return Task.CompletedTask;
    }

    [GeneratedRegex(@"S3rver listening on [^:]+:(\d+)")]
    private static partial Regex Listening();
}
