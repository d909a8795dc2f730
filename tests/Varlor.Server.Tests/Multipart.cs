using System.Net.Http.Headers;
using System.Text;

namespace Varlor.Server.Tests;

/// <summary>Builds multipart/form-data bodies byte by byte, so that tests can send exactly what a client would (or should not).</summary>
public static class Multipart
{
    private const string Boundary = "----varlor-test-boundary-7f3a";

    public static HttpContent File(string fileName, byte[] content, string? name = null, string? format = null, bool nameAfterFile = false)
    {
        var body = new MemoryStream();
        void Text(string s) => body.Write(Encoding.UTF8.GetBytes(s));
        void Field(string field, string value) =>
            Text($"--{Boundary}\r\nContent-Disposition: form-data; name=\"{field}\"\r\n\r\n{value}\r\n");

        if (format is not null) Field("format", format);
        if (name is not null && !nameAfterFile) Field("name", name);
        Text($"--{Boundary}\r\nContent-Disposition: form-data; name=\"file\"; filename=\"{fileName}\"\r\nContent-Type: application/octet-stream\r\n\r\n");
        body.Write(content);
        Text("\r\n");
        if (name is not null && nameAfterFile) Field("name", name);
        Text($"--{Boundary}--\r\n");
        var result = new ByteArrayContent(body.ToArray());
        result.Headers.ContentType = MediaTypeHeaderValue.Parse($"multipart/form-data; boundary={Boundary}");
        return result;
    }

    public static HttpContent File(string fileName, string content, string? name = null) =>
        File(fileName, Encoding.UTF8.GetBytes(content), name);
}
