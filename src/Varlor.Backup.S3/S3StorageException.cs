using System.Net;
using Amazon.S3;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Storage.S3;

/// <summary>An error answer of the object store, on one line; <see cref="IsTransient"/> tells whether a retry may help.</summary>
public sealed class S3StorageException(string message, HttpStatusCode status, string? errorCode, Exception inner)
    : VarlorException(message, ExitCodes.Failure, inner)
{
    public HttpStatusCode Status { get; } = status;
    public string? ErrorCode { get; } = errorCode;

    /// <summary>Throttling (503 SlowDown, 429), server errors (5xx) and request timeouts (408, RequestTimeout).</summary>
    public bool IsTransient =>
        (int)Status >= 500 || Status is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout ||
        ErrorCode is "SlowDown" or "RequestTimeout" or "InternalError" or "ServiceUnavailable" or "Throttling" or "RequestTimeTooSkewed";

    internal static S3StorageException From(AmazonS3Exception e, string operation, string key)
    {
        var what = e.ErrorCode ?? e.StatusCode.ToString();
        var hint = e.StatusCode switch
        {
            HttpStatusCode.Forbidden => " (check the credentials: AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, AWS_PROFILE)",
            _ when e.ErrorCode == "NoSuchBucket" => " (the bucket does not exist: 'init' creates it)",
            _ => "",
        };
        var message = OneLine(e.Message);
        return new S3StorageException($"S3 {operation} {key}: {what} ({(int)e.StatusCode}){(message.Length > 0 ? ": " + message : "")}{hint}", e.StatusCode, e.ErrorCode, e);
    }

    internal static string OneLine(string? s) => string.Join(' ', (s ?? "").Split(['\r', '\n'], StringSplitOptions.RemoveEmptyEntries)).Trim();
}
