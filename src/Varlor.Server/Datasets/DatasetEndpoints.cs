using System.Text;
using Varlor.Server.Datasets.Inference;
using Varlor.Server.Hosting;
using Varlor.Server.Maintenance;
using Varlor.Server.Storage;
using Varlor.Server.Tenants;

namespace Varlor.Server.Datasets;

public static class DatasetEndpoints
{
    public static void MapDatasets(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("/api/v1/datasets")
            .AddEndpointFilter<TenantAuthFilter>()
            .WithTags("Datasets")
            .ProducesProblem(401);

        api.MapGet("/", List).WithName("ListDatasets").WithSummary("The tenant's live datasets, newest first");
        api.MapGet("/{id:guid}", Get).WithName("GetDataset").WithSummary("One dataset with its inferred columns")
            .ProducesProblem(404);
        api.MapGet("/{id:guid}/file", Download).WithName("DownloadDataset").WithSummary("The dataset's current file")
            .ProducesProblem(404);

        var writes = api.MapGroup("").AddEndpointFilter<WriteGuardFilter>().ProducesProblem(503);
        writes.MapPost("/", Upload).WithName("UploadDataset")
            .WithSummary("Upload a CSV, TSV or JSON-lines file (multipart/form-data: file, optional name and format)")
            .Accepts<UploadForm>("multipart/form-data")
            .Produces<DatasetView>(201).ProducesProblem(400).ProducesProblem(413).ProducesProblem(415)
            .DisableAntiforgery();
        writes.MapPut("/{id:guid}/file", Replace).WithName("ReplaceDatasetFile")
            .WithSummary("Upload a new version of the dataset's file")
            .Accepts<UploadForm>("multipart/form-data")
            .Produces<DatasetView>(200).ProducesProblem(400).ProducesProblem(404).ProducesProblem(413).ProducesProblem(415)
            .DisableAntiforgery();
        writes.MapDelete("/{id:guid}", Delete).WithName("DeleteDataset")
            .WithSummary("Soft-delete the dataset; the purge removes it for good later").ProducesProblem(404);
    }

    /// <summary>Only describes the multipart form in the OpenAPI document; the body is streamed, not bound.</summary>
    public sealed record UploadForm(IFormFile File, string? Name, string? Format);

    private static async Task<IResult> List(HttpContext http, DatasetRepository repo, CancellationToken ct, int limit = 100, int offset = 0)
    {
        if (limit is < 1 or > 1000) return Problems.BadRequest("limit must be between 1 and 1000");
        if (offset < 0) return Problems.BadRequest("offset must not be negative");
        return Results.Ok(await repo.ListAsync(http.Tenant().Id, limit, offset, ct));
    }

    private static async Task<IResult> Get(Guid id, HttpContext http, DatasetRepository repo, CancellationToken ct) =>
        await repo.GetAsync(http.Tenant().Id, id, ct) is { } view ? Results.Ok(view) : NotFound(id);

    private static async Task<IResult> Download(Guid id, HttpContext http, DatasetRepository repo, DatasetStorage storage,
        MaintenanceMode maintenance, CancellationToken ct)
    {
        if (await repo.GetFileAsync(http.Tenant().Id, id, ct) is not { } file) return NotFound(id);
        var path = storage.FullPath(file.RelativePath);
        if (!File.Exists(path) && maintenance.IsEnabled)
            return WriteGuardFilter.Refuse(http, maintenance, "its files are being restored"); // not lost: not back yet
        if (!File.Exists(path))
            return Problems.Status(500, "Dataset file missing", $"the file of dataset {id} is missing from storage ({file.RelativePath}); restore it from backup");
        var format = DatasetFormat.FromName(file.Format) ?? DatasetFormat.Csv;
        http.Response.Headers.ETag = $"\"{file.Sha256}\"";
        return Results.File(path, format.ContentType, file.OriginalFileName, enableRangeProcessing: true);
    }

    private static async Task<IResult> Upload(HttpContext http, UploadReceiver receiver, DatasetWriter writer,
        DatasetRepository repo, ILoggerFactory logs, CancellationToken ct)
    {
        var tenant = http.Tenant();
        ReceivedUpload? upload = null;
        try
        {
            upload = await receiver.ReceiveAsync(http.Request, ct);
            var inspection = await InspectAsync(upload, ct);
            var id = await writer.CreateAsync(tenant, upload, inspection, ct);
            logs.CreateLogger("Varlor.Datasets").LogInformation(
                "Tenant {Tenant} uploaded dataset {DatasetId} ({Format}, {Size} bytes, {Rows} rows, sha256 {Sha256})",
                tenant.Name, id, upload.Format.Name, upload.Size, inspection.RowCount, upload.Sha256);
            return Results.Created($"/api/v1/datasets/{id}", await repo.GetAsync(tenant.Id, id, ct));
        }
        catch (RequestProblemException e)
        {
            return e.ToResult();
        }
        finally
        {
            if (upload is not null) File.Delete(upload.TempPath); // gone already when it was placed
        }
    }

    private static async Task<IResult> Replace(Guid id, HttpContext http, UploadReceiver receiver, DatasetWriter writer,
        DatasetRepository repo, ILoggerFactory logs, CancellationToken ct)
    {
        var tenant = http.Tenant();
        if (await repo.GetFileAsync(tenant.Id, id, ct) is null) return NotFound(id); // before reading a large body
        ReceivedUpload? upload = null;
        try
        {
            upload = await receiver.ReceiveAsync(http.Request, ct);
            var inspection = await InspectAsync(upload, ct);
            if (!await writer.ReplaceAsync(tenant, id, upload, inspection, ct)) return NotFound(id);
            var view = await repo.GetAsync(tenant.Id, id, ct);
            logs.CreateLogger("Varlor.Datasets").LogInformation(
                "Tenant {Tenant} uploaded version {Version} of dataset {DatasetId} ({Size} bytes, {Rows} rows, sha256 {Sha256})",
                tenant.Name, view?.Version, id, upload.Size, inspection.RowCount, upload.Sha256);
            return Results.Ok(view);
        }
        catch (RequestProblemException e)
        {
            return e.ToResult();
        }
        finally
        {
            if (upload is not null) File.Delete(upload.TempPath);
        }
    }

    private static async Task<IResult> Delete(Guid id, HttpContext http, DatasetRepository repo, ILoggerFactory logs, CancellationToken ct)
    {
        var tenant = http.Tenant();
        if (!await repo.SoftDeleteAsync(tenant.Id, id, ct)) return NotFound(id);
        logs.CreateLogger("Varlor.Datasets").LogInformation("Tenant {Tenant} deleted dataset {DatasetId}", tenant.Name, id);
        return Results.NoContent();
    }

    private static async Task<InspectionResult> InspectAsync(ReceivedUpload upload, CancellationToken ct)
    {
        try
        {
            return await Task.Run(() =>
            {
                using var stream = new FileStream(upload.TempPath, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16);
                return upload.Format.Inspect(stream, ct);
            }, ct);
        }
        catch (DatasetFormatException e)
        {
            throw RequestProblemException.Invalid($"{upload.FileName}: {e.Message}");
        }
        catch (DecoderFallbackException)
        {
            throw RequestProblemException.Invalid($"{upload.FileName}: {TextInput.NotUtf8}");
        }
    }

    private static IResult NotFound(Guid id) => Problems.NotFound($"no dataset {id} for this API key");
}
