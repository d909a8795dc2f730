using System.Diagnostics;
using System.Runtime.CompilerServices;
using Polly;
using Polly.Retry;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Storage.S3;

/// <summary>
/// Retries an inner backend's operations on transient failures (<see cref="TransientErrors"/>) with exponential
/// backoff and jitter, each attempt bounded by a timeout; once the budget is spent, a one-line
/// <see cref="VarlorException"/> says what failed. Every operation is idempotent (names are content hashes),
/// so sending one again is safe. Listings are collected whole per attempt, so a retried listing yields no name twice.
/// </summary>
public sealed class RetryingBackend : IStorageBackend
{
    private readonly IStorageBackend _inner;
    private readonly ResiliencePipeline _pipeline;
    private readonly RetryOptions _options;
    private long _retries;

    public RetryingBackend(IStorageBackend inner, RetryOptions? options = null)
    {
        _inner = inner;
        _options = options ?? new RetryOptions();
        var builder = new ResiliencePipelineBuilder();
        if (_options.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = args => ValueTask.FromResult(args.Outcome.Exception is { } e && TransientErrors.IsTransient(e, args.Context.CancellationToken)),
                MaxRetryAttempts = _options.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.BaseDelay,
                MaxDelay = _options.MaxDelay,
                OnRetry = _ =>
                {
                    Interlocked.Increment(ref _retries);
                    return ValueTask.CompletedTask;
                },
            });
        }
        _pipeline = builder.AddTimeout(_options.AttemptTimeout).Build();
    }

    public IStorageBackend Inner => _inner;
    /// <summary>Attempts that failed transiently and were made again.</summary>
    public long Retries => Interlocked.Read(ref _retries);
    public string Location => _inner.Location;
    public string SpoolFolder => _inner.SpoolFolder;
    public int PackUploads => _inner.PackUploads;

    private async Task<T> RunAsync<T>(string operation, Func<CancellationToken, Task<T>> action, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        try
        {
            return await _pipeline.ExecuteAsync(async token => await action(token), ct);
        }
        catch (Exception e) when (TransientErrors.IsTransient(e, ct))
        {
            throw new VarlorException(
                $"storage at {Location} failed {_options.MaxRetries + 1} times in {clock.Elapsed.TotalSeconds:0}s ({operation}): " +
                $"{S3StorageException.OneLine(e.Message)}; nothing incomplete was recorded, run the command again when the store answers",
                ExitCodes.Failure, e);
        }
    }

    private Task RunAsync(string operation, Func<CancellationToken, Task> action, CancellationToken ct) =>
        RunAsync<bool>(operation, async t => { await action(t); return true; }, ct);

    private static string What(FileKind kind, string name) => $"{kind.ToString().ToLowerInvariant()} {name}";

    public Task<bool> ExistsAsync(FileKind kind, string name, CancellationToken ct) =>
        RunAsync("exists " + What(kind, name), t => _inner.ExistsAsync(kind, name, t), ct);

    public Task SaveAsync(FileKind kind, string name, ReadOnlyMemory<byte> content, CancellationToken ct) =>
        RunAsync("save " + What(kind, name), t => _inner.SaveAsync(kind, name, content, t), ct);

    public async Task SaveFileAsync(FileKind kind, string name, string localPath, CancellationToken ct)
    {
        if (_inner is not IFileUploader uploader)
        {
            await _inner.SaveFileAsync(kind, name, localPath, ct);
            return;
        }
        try
        {
            await RunAsync("save " + What(kind, name), t => uploader.UploadFileAsync(kind, name, localPath, t), ct);
        }
        finally
        {
            File.Delete(localPath);
        }
    }

    public Task<int> CleanupTempFilesAsync(TimeSpan minAge, CancellationToken ct) =>
        RunAsync("cleanup", t => _inner.CleanupTempFilesAsync(minAge, t), ct);

    public Task<byte[]> ReadAsync(FileKind kind, string name, CancellationToken ct) =>
        RunAsync("read " + What(kind, name), t => _inner.ReadAsync(kind, name, t), ct);

    public Task<int> ReadRangeAsync(FileKind kind, string name, long offset, Memory<byte> buffer, CancellationToken ct) =>
        RunAsync($"read {What(kind, name)} at {offset}", t => _inner.ReadRangeAsync(kind, name, offset, buffer, t), ct);

    public Task<long> SizeAsync(FileKind kind, string name, CancellationToken ct) =>
        RunAsync("size " + What(kind, name), t => _inner.SizeAsync(kind, name, t), ct);

    public async IAsyncEnumerable<(string Name, long Size)> ListAsync(FileKind kind, [EnumeratorCancellation] CancellationToken ct)
    {
        var all = await RunAsync("list " + kind.Folder(), async t =>
        {
            var items = new List<(string, long)>();
            await foreach (var item in _inner.ListAsync(kind, t)) items.Add(item);
            return items;
        }, ct);
        foreach (var item in all) yield return item;
    }

    public Task DeleteAsync(FileKind kind, string name, CancellationToken ct) =>
        RunAsync("delete " + What(kind, name), t => _inner.DeleteAsync(kind, name, t), ct);

    public Task CreateAsync(CancellationToken ct) => RunAsync("create", _inner.CreateAsync, ct);
}
