using System.Net;
using System.Security.Cryptography;
using System.Text;

namespace Varlor.Server.Tests;

public sealed class DatasetLifecycleTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    private const string Sales = """"
        id,region,amount,paid,sold_on,note
        1,north,12.50,true,2024-01-03,
        2,south,7,false,2024-02-29,"first, with comma"
        3,"east",100.25,TRUE,2024-12-31,"she said ""hi"""

        """";

    [Fact]
    public async Task Upload_stores_the_file_and_the_rows_and_infers_the_columns()
    {
        var (tenant, _, client) = await server.AddTenantAsync();
        var bytes = Encoding.UTF8.GetBytes(Sales);

        var created = await HttpAssert.JsonAsync<Dataset>(
            await client.PostAsync("/api/v1/datasets", Multipart.File("sales.csv", bytes, name: "Q1 sales")), HttpStatusCode.Created);

        Assert.Equal("Q1 sales", created.Name);
        Assert.Equal("sales.csv", created.OriginalFileName);
        Assert.Equal("csv", created.Format);
        Assert.Equal(bytes.Length, created.Size);
        Assert.Equal(3, created.RowCount);
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(bytes)), created.Sha256);
        Assert.Equal("ready", created.Status);
        Assert.Equal(1, created.Version);
        Assert.Equal(
            ["id:integer", "region:text", "amount:decimal", "paid:boolean", "sold_on:date", "note:text"],
            created.Columns!.Select(c => $"{c.Name}:{c.Type}"));
        Assert.Equal([false, false, false, false, false, true], created.Columns!.Select(c => c.Nullable));
        Assert.Equal(1, created.Columns![5].Stats.GetProperty("nulls").GetInt32());
        Assert.Equal(100.25m, created.Columns![2].Stats.GetProperty("max").GetDecimal());
        Assert.Contains("she said \"hi\"", created.Columns![5].Stats.GetProperty("samples").EnumerateArray().Select(e => e.GetString()));

        // The file sits at storage/datasets/<tenant>/<dataset>/v1.csv, byte for byte, and nothing is left in tmp/.
        var path = $"datasets/{tenant.Id}/{created.Id}/v1.csv";
        Assert.Equal([path], server.StoredFiles().Where(f => f.Contains(tenant.Id.ToString(), StringComparison.Ordinal)));
        Assert.Equal(bytes, await File.ReadAllBytesAsync(Path.Combine(server.StorageRoot, path)));
        Assert.Empty(server.StoredFiles("tmp"));

        // And the tables hold what operators' SQL expects.
        Assert.Equal(3L, await server.Database.ScalarAsync(
            "SELECT row_count FROM datasets WHERE id = $1 AND tenant_id = $2 AND status = 'ready' AND deleted_at IS NULL", created.Id, tenant.Id));
        Assert.Equal("integer,text,decimal,boolean,date,text", await server.Database.ScalarAsync(
            "SELECT string_agg(type, ',' ORDER BY position) FROM dataset_columns WHERE dataset_id = $1", created.Id));
        Assert.Equal(path, await server.Database.ScalarAsync("SELECT storage_path FROM datasets WHERE id = $1", created.Id));
    }

    [Fact]
    public async Task List_get_download_delete()
    {
        var (_, _, client) = await server.AddTenantAsync();
        var a = await Upload(client, "a.csv", "x\n1\n");
        var b = await Upload(client, "b.tsv", "x\ty\n1\t2\n");

        var page = await HttpAssert.JsonAsync<DatasetPage>(await client.GetAsync("/api/v1/datasets"), HttpStatusCode.OK);
        Assert.Equal([b.Id, a.Id], page.Items.Select(d => d.Id)); // newest first
        Assert.All(page.Items, d => Assert.Null(d.Columns));

        var got = await HttpAssert.JsonAsync<Dataset>(await client.GetAsync($"/api/v1/datasets/{b.Id}"), HttpStatusCode.OK);
        Assert.Equal("tsv", got.Format);
        Assert.Equal(["x", "y"], got.Columns!.Select(c => c.Name));

        var download = await client.GetAsync($"/api/v1/datasets/{b.Id}/file");
        Assert.Equal(HttpStatusCode.OK, download.StatusCode);
        Assert.Equal("x\ty\n1\t2\n", await download.Content.ReadAsStringAsync());
        Assert.Equal("text/tab-separated-values", download.Content.Headers.ContentType?.MediaType);
        Assert.Equal("b.tsv", download.Content.Headers.ContentDisposition?.FileName?.Trim('"'));

        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/datasets/{a.Id}")).StatusCode);
        await HttpAssert.ProblemAsync(await client.GetAsync($"/api/v1/datasets/{a.Id}"), 404);
        await HttpAssert.ProblemAsync(await client.GetAsync($"/api/v1/datasets/{a.Id}/file"), 404);
        await HttpAssert.ProblemAsync(await client.DeleteAsync($"/api/v1/datasets/{a.Id}"), 404);
        page = await HttpAssert.JsonAsync<DatasetPage>(await client.GetAsync("/api/v1/datasets"), HttpStatusCode.OK);
        Assert.Equal([b.Id], page.Items.Select(d => d.Id));

        // A soft delete keeps the row and the file until the purge.
        Assert.Equal("deleted", await server.Database.ScalarAsync("SELECT status FROM datasets WHERE id = $1", a.Id));
        Assert.NotNull(await server.Database.ScalarAsync("SELECT deleted_at FROM datasets WHERE id = $1", a.Id));
        Assert.Contains(server.StoredFiles(), f => f.Contains(a.Id.ToString(), StringComparison.Ordinal));
    }

    [Fact]
    public async Task List_pages_with_limit_and_offset()
    {
        var (_, _, client) = await server.AddTenantAsync();
        var ids = new List<Guid>();
        for (var i = 0; i < 5; i++) ids.Insert(0, (await Upload(client, $"p{i}.csv", "a\n1\n")).Id);
        var first = await HttpAssert.JsonAsync<DatasetPage>(await client.GetAsync("/api/v1/datasets?limit=2"), HttpStatusCode.OK);
        var rest = await HttpAssert.JsonAsync<DatasetPage>(await client.GetAsync("/api/v1/datasets?limit=10&offset=2"), HttpStatusCode.OK);
        Assert.Equal(ids, first.Items.Concat(rest.Items).Select(d => d.Id));
        Assert.Equal(2, first.Limit);
    }

    [Fact]
    public async Task Reupload_makes_a_new_version_and_replaces_file_and_columns()
    {
        var (tenant, _, client) = await server.AddTenantAsync();
        var v1 = await Upload(client, "prices.csv", "sku,price\nA,1\nB,2\n");

        var response = await client.PutAsync($"/api/v1/datasets/{v1.Id}/file",
            Multipart.File("prices.jsonl", "{\"sku\":\"A\",\"price\":1.5,\"active\":true}\n{\"sku\":\"C\",\"price\":3}\n"));
        var v2 = await HttpAssert.JsonAsync<Dataset>(response, HttpStatusCode.OK);

        Assert.Equal(v1.Id, v2.Id);
        Assert.Equal(2, v2.Version);
        Assert.Equal("prices", v2.Name); // kept: no new name was sent
        Assert.Equal("jsonl", v2.Format);
        Assert.Equal("prices.jsonl", v2.OriginalFileName);
        Assert.Equal(2, v2.RowCount);
        Assert.Equal(["sku:text", "price:decimal", "active:boolean"], v2.Columns!.Select(c => $"{c.Name}:{c.Type}"));
        Assert.True(v2.Columns![2].Nullable);
        Assert.True(v2.UpdatedAt > v1.UpdatedAt);

        // Only the new version's file remains.
        Assert.Equal([$"datasets/{tenant.Id}/{v1.Id}/v2.jsonl"], server.StoredFiles().Where(f => f.Contains(v1.Id.ToString(), StringComparison.Ordinal)));
        var download = await client.GetStringAsync($"/api/v1/datasets/{v1.Id}/file");
        Assert.StartsWith("{\"sku\":\"A\"", download, StringComparison.Ordinal);
        Assert.Equal(3L, await server.Database.ScalarAsync("SELECT count(*) FROM dataset_columns WHERE dataset_id = $1", v1.Id));
    }

    [Fact]
    public async Task Name_sent_after_the_file_is_honoured_and_defaults_to_the_file_stem()
    {
        var (_, _, client) = await server.AddTenantAsync();
        var named = await HttpAssert.JsonAsync<Dataset>(await client.PostAsync("/api/v1/datasets",
            Multipart.File("data.csv", Encoding.UTF8.GetBytes("a\n1\n"), name: "after", nameAfterFile: true)), HttpStatusCode.Created);
        Assert.Equal("after", named.Name);
        var unnamed = await Upload(client, "report 2024.csv", "a\n1\n");
        Assert.Equal("report 2024", unnamed.Name);
    }

    [Fact]
    public async Task Format_field_overrides_the_extension()
    {
        var (_, _, client) = await server.AddTenantAsync();
        var ds = await HttpAssert.JsonAsync<Dataset>(await client.PostAsync("/api/v1/datasets",
            Multipart.File("export.txt", Encoding.UTF8.GetBytes("a\tb\n1\t2\n"), format: "tsv")), HttpStatusCode.Created);
        Assert.Equal("tsv", ds.Format);
        Assert.Equal(2, ds.Columns!.Count);
    }

    [Fact]
    public async Task Purge_removes_deleted_datasets_for_good()
    {
        var (tenant, _, client) = await server.AddTenantAsync();
        var keep = await Upload(client, "keep.csv", "a\n1\n");
        var gone = await Upload(client, "gone.csv", "a\n1\n");
        Assert.Equal(HttpStatusCode.NoContent, (await client.DeleteAsync($"/api/v1/datasets/{gone.Id}")).StatusCode);

        // Too recent for the default age of 7 days: nothing happens.
        var admin = server.AdminClient();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/admin/purge", null)).StatusCode);
        Assert.Equal(1L, await server.Database.ScalarAsync("SELECT count(*) FROM datasets WHERE id = $1", gone.Id));

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("/admin/purge?olderThanDays=0", null)).StatusCode);
        Assert.Equal(0L, await server.Database.ScalarAsync("SELECT count(*) FROM datasets WHERE id = $1", gone.Id));
        Assert.Equal(0L, await server.Database.ScalarAsync("SELECT count(*) FROM dataset_columns WHERE dataset_id = $1", gone.Id));
        Assert.False(Directory.Exists(Path.Combine(server.StorageRoot, "datasets", tenant.Id.ToString(), gone.Id.ToString())));
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync($"/api/v1/datasets/{keep.Id}/file")).StatusCode);
        Assert.Empty(server.StoredFiles("tmp"));
    }

    [Fact]
    public async Task Logs_are_structured_json_in_the_log_folder_named_by_day()
    {
        var (_, _, client) = await server.AddTenantAsync();
        var ds = await Upload(client, "logged.csv", "a\n1\n");
        var file = Path.Combine(server.LogDirectory, $"varlor-server-{DateTime.Now:yyyyMMdd}.log");
        string text = "";
        for (var i = 0; i < 50 && !text.Contains(ds.Id.ToString(), StringComparison.Ordinal); i++)
        {
            await Task.Delay(100);
            if (File.Exists(file))
            {
                await using var s = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
                text = await new StreamReader(s).ReadToEndAsync();
            }
        }

        var line = text.Split('\n').Single(l => l.Contains(ds.Id.ToString(), StringComparison.Ordinal) && l.Contains("uploaded", StringComparison.Ordinal));
        using var doc = System.Text.Json.JsonDocument.Parse(line);
        Assert.Equal(ds.Id.ToString(), doc.RootElement.GetProperty("DatasetId").GetString());
        Assert.True(doc.RootElement.TryGetProperty("@t", out _));
    }

    [Fact]
    public async Task OpenApi_document_describes_the_api()
    {
        var json = await server.Client().GetStringAsync("/openapi/v1.json");
        Assert.Contains("\"/api/v1/datasets\"", json, StringComparison.Ordinal);
        Assert.Contains("\"/api/v1/datasets/{id}/file\"", json, StringComparison.Ordinal);
        Assert.Contains("\"/health\"", json, StringComparison.Ordinal);
        Assert.Contains("\"/admin/maintenance\"", json, StringComparison.Ordinal);
    }

    private static async Task<Dataset> Upload(HttpClient client, string fileName, string content) =>
        await HttpAssert.JsonAsync<Dataset>(await client.PostAsync("/api/v1/datasets", Multipart.File(fileName, content)), HttpStatusCode.Created);
}
