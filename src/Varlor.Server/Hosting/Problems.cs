namespace Varlor.Server.Hosting;

/// <summary>RFC 7807 problem responses with a clear message.</summary>
public static class Problems
{
    public static IResult Status(int status, string title, string detail) =>
        Results.Problem(detail: detail, statusCode: status, title: title);

    public static IResult BadRequest(string detail) => Status(400, "Invalid request", detail);
    public static IResult Unauthorized(string detail) => Status(401, "Unauthorized", detail);
    public static IResult Forbidden(string detail) => Status(403, "Forbidden", detail);
    public static IResult NotFound(string detail) => Status(404, "Not found", detail);
}

/// <summary>Thrown for a request that can't be served as sent; becomes a problem response with its status.</summary>
public sealed class RequestProblemException(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;
    public string Title { get; } = title;

    public IResult ToResult() => Problems.Status(Status, Title, Message);

    public static RequestProblemException Invalid(string detail) => new(400, "Invalid dataset", detail);
    public static RequestProblemException TooLarge(long limit) =>
        new(413, "Upload too large", $"the file is larger than the limit of {limit} bytes");
    public static RequestProblemException Unsupported(string detail) => new(415, "Unsupported format", detail);
}
