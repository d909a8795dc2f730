using System.Net;
using System.Text;

namespace Varlor.Server.Tests;

/// <summary>Each bad upload gets a clear 4xx problem, and leaves nothing on disk or in the database.</summary>
public sealed class BadInputTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    public static TheoryData<string, string, byte[], int, string> Uploads => new()
    {
        { "ragged row", "ragged.csv", Utf8("a,b\n1,2\n3\n"), 400, "line 3 has 1 field(s) but the header has 2" },
        { "too many fields", "wide.csv", Utf8("a,b\n1,2,3\n"), 400, "line 2 has 3 field(s)" },
        { "unterminated quote", "quote.csv", Utf8("a,b\n1,\"open\n2,3\n"), 400, "unbalanced or stray double quote" },
        { "stray quote", "stray.csv", Utf8("a,b\n1,x\"y\n"), 400, "unbalanced or stray double quote" },
        { "latin-1 bytes", "latin1.csv", [.. Utf8("name\ncaf"), 0xE9, (byte)'\n'], 400, "not valid UTF-8" },
        { "utf-16 file", "utf16.csv", [0xFF, 0xFE, .. Encoding.Unicode.GetBytes("a,b\n1,2\n")], 400, "not valid UTF-8" },
        { "binary with NUL", "nul.csv", Utf8("a,b\n1,\0\n"), 400, "NUL character" },
        { "empty file", "empty.csv", [], 400, "the file is empty" },
        { "empty header", "blank.csv", Utf8("\n\n"), 400, "header row" },
        { "duplicate column", "dup.csv", Utf8("a,a\n1,2\n"), 400, "Col name 'a' found 2 times" },
        { "jsonl not an object", "rows.jsonl", Utf8("{\"a\":1}\n[1,2]\n"), 400, "line 2 is a JSON array" },
        { "jsonl broken", "rows.jsonl", Utf8("{\"a\":1}\n{\"a\":\n"), 400, "line 2 is not valid JSON" },
        { "unknown format", "data.xlsx", Utf8("a,b\n1,2\n"), 415, "cannot tell the format of 'data.xlsx'" },
        { "no extension", "data", Utf8("a,b\n1,2\n"), 415, "cannot tell the format" },
        { "over the limit", "big.csv", Big(), 413, "larger than the limit of 262144 bytes" },
        { "relative path name", "../x.csv", Utf8("a\n1\n"), 400, "contains a path separator" },
        { "absolute path name", "/etc/passwd.csv", Utf8("a\n1\n"), 400, "contains a path separator" },
        { "windows path name", "C:\\\\temp\\\\x.csv", Utf8("a\n1\n"), 400, "path separator" },
        { "dot-dot name", "..", Utf8("a\n1\n"), 400, "is not a name" },
    };

    [Theory]
    [MemberData(nameof(Uploads))]
    public async Task Bad_upload_is_refused_and_leaves_nothing(string what, string fileName, byte[] content, int status, string message)
    {
        var (tenant, _, client) = await server.AddTenantAsync();
        var detail = await HttpAssert.ProblemAsync(await client.PostAsync("/api/v1/datasets", Multipart.File(fileName, content)), status);
        Assert.True(detail.Contains(message, StringComparison.Ordinal), $"{what}: '{detail}' does not say '{message}'");
        await AssertNothingWritten(tenant.Id);
    }

    [Theory]
    [InlineData("../escape")]
    [InlineData("/absolute/name")]
    [InlineData("with\0nul")]
    [InlineData("   ")]
    public async Task Path_like_or_empty_dataset_name_is_refused(string name)
    {
        var (tenant, _, client) = await server.AddTenantAsync();
        var detail = await HttpAssert.ProblemAsync(
            await client.PostAsync("/api/v1/datasets", Multipart.File("ok.csv", Utf8("a\n1\n"), name: name, nameAfterFile: true)), 400);
        Assert.Contains("dataset name", detail, StringComparison.Ordinal);
        await AssertNothingWritten(tenant.Id);
    }

    [Fact]
    public async Task Nul_in_file_name_is_refused()
    {
        var (tenant, _, client) = await server.AddTenantAsync();
        await HttpAssert.ProblemAsync(await client.PostAsync("/api/v1/datasets", Multipart.File("a\0b.csv", Utf8("a\n1\n"))), 400);
        await AssertNothingWritten(tenant.Id);
    }

    [Fact]
    public async Task Not_multipart_and_missing_file_field_are_refused()
    {
        var (tenant, _, client) = await server.AddTenantAsync();
        var detail = await HttpAssert.ProblemAsync(await client.PostAsync("/api/v1/datasets", new StringContent("a,b\n1,2\n")), 415);
        Assert.Contains("multipart/form-data", detail, StringComparison.Ordinal);

        var noFile = new MultipartFormDataContent { { new StringContent("just a name"), "name" } };
        detail = await HttpAssert.ProblemAsync(await client.PostAsync("/api/v1/datasets", noFile), 400);
        Assert.Contains("no field named 'file'", detail, StringComparison.Ordinal);
        await AssertNothingWritten(tenant.Id);
    }

    [Fact]
    public async Task Bad_reupload_keeps_the_previous_version_intact()
    {
        var (tenant, _, client) = await server.AddTenantAsync();
        var v1 = await HttpAssert.JsonAsync<Dataset>(
            await client.PostAsync("/api/v1/datasets", Multipart.File("v.csv", "a,b\n1,2\n")), HttpStatusCode.Created);

        await HttpAssert.ProblemAsync(await client.PutAsync($"/api/v1/datasets/{v1.Id}/file", Multipart.File("v.csv", "a,b\n1\n")), 400);

        var after = await HttpAssert.JsonAsync<Dataset>(await client.GetAsync($"/api/v1/datasets/{v1.Id}"), HttpStatusCode.OK);
        Assert.Equal(1, after.Version);
        Assert.Equal(v1.Sha256, after.Sha256);
        Assert.Equal("a,b\n1,2\n", await client.GetStringAsync($"/api/v1/datasets/{v1.Id}/file"));
        Assert.Equal([$"datasets/{tenant.Id}/{v1.Id}/v1.csv"], TenantFiles(tenant.Id));
        Assert.Empty(server.StoredFiles("tmp"));
    }

    [Fact]
    public async Task Missing_or_wrong_api_key_is_401()
    {
        var detail = await HttpAssert.ProblemAsync(await server.Client().GetAsync("/api/v1/datasets"), 401);
        Assert.Contains("X-Api-Key", detail, StringComparison.Ordinal);
        detail = await HttpAssert.ProblemAsync(await server.Client("vk_not-a-real-key").GetAsync("/api/v1/datasets"), 401);
        Assert.Contains("not valid", detail, StringComparison.Ordinal);
        await HttpAssert.ProblemAsync(await server.Client().PostAsync("/api/v1/datasets", Multipart.File("a.csv", "a\n1\n")), 401);
        // The admin key is not a tenant key.
        await HttpAssert.ProblemAsync(await server.AdminClient().GetAsync("/api/v1/datasets"), 401);
    }

    [Fact]
    public async Task Unknown_ids_and_routes_are_404_problems()
    {
        var (_, _, client) = await server.AddTenantAsync();
        await HttpAssert.ProblemAsync(await client.GetAsync($"/api/v1/datasets/{Guid.NewGuid()}"), 404);
        Assert.Equal(HttpStatusCode.NotFound, (await client.GetAsync("/api/v1/datasets/not-a-guid")).StatusCode);
        await HttpAssert.ProblemAsync(await client.GetAsync("/api/v1/datasets?limit=0"), 400);
    }

    private async Task AssertNothingWritten(Guid tenantId)
    {
        Assert.Equal(0, await server.DatasetRowsAsync(tenantId));
        Assert.Empty(TenantFiles(tenantId));
        Assert.Empty(server.StoredFiles("tmp"));
    }

    private IReadOnlyList<string> TenantFiles(Guid tenantId) =>
        server.StoredFiles().Where(f => f.Contains(tenantId.ToString(), StringComparison.Ordinal)).ToList();

    private static byte[] Utf8(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[] Big()
    {
        var sb = new StringBuilder("id,text\n");
        for (var i = 0; sb.Length <= ServerFixture.MaxUploadBytes; i++) sb.Append(i).Append(",some filler text for the row\n");
        return Utf8(sb.ToString());
    }
}
