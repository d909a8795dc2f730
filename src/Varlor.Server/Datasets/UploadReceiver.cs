using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Net.Http.Headers;
using Varlor.Server.Configuration;
using Varlor.Server.Hosting;
using Varlor.Server.Storage;

namespace Varlor.Server.Datasets;

/// <summary>A file received into tmp/, hashed and measured on the way. The caller owns TempPath.</summary>
public sealed record ReceivedUpload(string TempPath, string FileName, DatasetFormat Format, long Size, string Sha256, string? Name);

/// <summary>
/// Streams a multipart/form-data body (field "file", optional "name" and "format") straight into a temporary
/// file: the body is never buffered whole, and the size limit is enforced while copying.
/// </summary>
public sealed class UploadReceiver(DatasetStorage storage, ServerSettings settings)
{
    private const int MaxFieldBytes = 4096;

    public async Task<ReceivedUpload> ReceiveAsync(HttpRequest request, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var mediaType) ||
            !mediaType.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw new RequestProblemException(415, "Unsupported media type",
                "send the dataset as multipart/form-data with the file in a field named 'file'");
        var boundary = HeaderUtilities.RemoveQuotes(mediaType.Boundary).Value;
        if (string.IsNullOrEmpty(boundary))
            throw RequestProblemException.Invalid("the multipart/form-data content type has no boundary");

        if (request.HttpContext.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
            limit.MaxRequestBodySize = settings.MaxUploadBytes + 1024 * 1024; // room for the multipart framing

        var reader = new MultipartReader(boundary, request.Body) { HeadersLengthLimit = 16 * 1024 };
        string? name = null, formatField = null;
        ReceivedUpload? file = null;
        try
        {
            while (await reader.ReadNextSectionAsync(ct) is { } section)
            {
                if (!ContentDispositionHeaderValue.TryParse(section.ContentDisposition, out var disposition) ||
                    !disposition.DispositionType.Equals("form-data", StringComparison.OrdinalIgnoreCase))
                    throw RequestProblemException.Invalid("a multipart section has no valid Content-Disposition: form-data header");
                var field = HeaderUtilities.RemoveQuotes(disposition.Name).Value ?? "";
                switch (field)
                {
                    case "file" when file is not null:
                        throw RequestProblemException.Invalid("send exactly one field named 'file'");
                    case "file":
                        file = await ReceiveFileAsync(section, disposition, formatField, ct);
                        break;
                    case "name":
                        name = await ReadFieldAsync(section, field, ct);
                        break;
                    case "format":
                        formatField = await ReadFieldAsync(section, field, ct);
                        break;
                    default:
                        throw RequestProblemException.Invalid($"unexpected form field '{field}': only 'file', 'name' and 'format' are read");
                }
            }

            if (file is null)
                throw RequestProblemException.Invalid("the form has no field named 'file'");
            if (name is not null && DatasetNames.Problem("dataset name", name) is { } nameProblem)
                throw RequestProblemException.Invalid(nameProblem);
            return file with { Name = name?.Trim() };
        }
        catch (Exception e)
        {
            if (file is not null) File.Delete(file.TempPath);
            switch (e)
            {
                case BadHttpRequestException { StatusCode: 413 }:
                    throw RequestProblemException.TooLarge(settings.MaxUploadBytes);
                case BadHttpRequestException or InvalidDataException when !ct.IsCancellationRequested:
                    throw RequestProblemException.Invalid($"the multipart body could not be read: {e.Message}");
            }

            throw;
        }
    }

    private async Task<ReceivedUpload> ReceiveFileAsync(
        MultipartSection section, ContentDispositionHeaderValue disposition, string? formatField, CancellationToken ct)
    {
        var fileName = HeaderUtilities.RemoveQuotes(disposition.FileNameStar).Value
                       ?? HeaderUtilities.RemoveQuotes(disposition.FileName).Value;
        if (fileName is null)
            throw RequestProblemException.Invalid("the 'file' field has no file name");
        if (DatasetNames.Problem("file name", fileName) is { } problem)
            throw RequestProblemException.Invalid(problem);

        var format = formatField is not null ? DatasetFormat.FromName(formatField) : DatasetFormat.FromFileName(fileName);
        if (format is null)
            throw RequestProblemException.Unsupported(formatField is not null
                ? $"unknown format '{formatField}': use csv, tsv or jsonl"
                : $"cannot tell the format of '{fileName}': name it .csv, .tsv or .jsonl, or send a 'format' field (csv, tsv, jsonl) before the file");

        using var sha = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        string tempPath;
        long size = 0;
        var buffer = new byte[1 << 16];
        await using (var temp = storage.CreateTempFile(out tempPath))
        {
            try
            {
                int read;
                while ((read = await section.Body.ReadAsync(buffer, ct)) > 0)
                {
                    size += read;
                    if (size > settings.MaxUploadBytes) throw RequestProblemException.TooLarge(settings.MaxUploadBytes);
                    sha.AppendData(buffer, 0, read);
                    await temp.WriteAsync(buffer.AsMemory(0, read), ct);
                }

                await temp.FlushAsync(ct);
                Durability.FlushFile(temp);
            }
            catch
            {
                await temp.DisposeAsync();
                File.Delete(tempPath);
                throw;
            }
        }

        if (size == 0)
        {
            File.Delete(tempPath);
            throw RequestProblemException.Invalid("the file is empty");
        }

        return new ReceivedUpload(tempPath, fileName, format, size, Convert.ToHexStringLower(sha.GetHashAndReset()), null);
    }

    private static async Task<string> ReadFieldAsync(MultipartSection section, string field, CancellationToken ct)
    {
        var buffer = new byte[MaxFieldBytes + 1];
        var total = 0;
        int read;
        while (total < buffer.Length && (read = await section.Body.ReadAsync(buffer.AsMemory(total), ct)) > 0) total += read;
        if (total > MaxFieldBytes)
            throw RequestProblemException.Invalid($"the form field '{field}' is longer than {MaxFieldBytes} bytes");
        try
        {
            return new UTF8Encoding(false, true).GetString(buffer, 0, total);
        }
        catch (DecoderFallbackException)
        {
            throw RequestProblemException.Invalid($"the form field '{field}' is not valid UTF-8");
        }
    }
}
