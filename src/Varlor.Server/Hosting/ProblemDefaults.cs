using Microsoft.AspNetCore.Http;

namespace Varlor.Server.Hosting;

/// <summary>Gives the problems the framework makes itself (unknown route, wrong method or content type, crash) a detail.</summary>
public static class ProblemDefaults
{
    public static void Fill(ProblemDetailsContext context)
    {
        var problem = context.ProblemDetails;
        if (!string.IsNullOrEmpty(problem.Detail)) return;
        var request = context.HttpContext.Request;
        problem.Detail = problem.Status switch
        {
            404 => $"no such resource: {request.Method} {request.Path}",
            405 => $"{request.Method} is not allowed on {request.Path}",
            413 => "the request body is larger than the upload limit",
            415 => $"content type '{request.ContentType}' is not accepted here; uploads are multipart/form-data with the file in a field named 'file'",
            500 => "the server failed to handle the request; the log has the details (search for the traceId)",
            _ => problem.Title,
        };
    }
}
