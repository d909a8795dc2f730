using System.Net;
using System.Net.Sockets;
using Amazon.Runtime;
using Polly.Timeout;

namespace Varlor.Backup.Storage.S3;

/// <summary>Which failures a retry may cure: throttling, server errors, resets, truncated answers, timeouts.</summary>
public static class TransientErrors
{
    public static bool IsTransient(Exception e, CancellationToken ct)
    {
        if (ct.IsCancellationRequested) return false;
        return e switch
        {
            S3StorageException s => s.IsTransient,
            TimeoutRejectedException => true,
            FileNotFoundException or DirectoryNotFoundException => false,
            TruncatedResponseException => true,
            HttpRequestException or SocketException or IOException => true,
            OperationCanceledException => true, // an HTTP client timeout, not the caller's cancellation
            AmazonServiceException { StatusCode: >= HttpStatusCode.InternalServerError or HttpStatusCode.TooManyRequests } => true,
            AmazonClientException { InnerException: { } inner } => IsTransient(inner, ct),
            AggregateException { InnerExceptions.Count: > 0 } a => a.InnerExceptions.All(i => IsTransient(i, ct)),
            _ => false,
        };
    }
}
