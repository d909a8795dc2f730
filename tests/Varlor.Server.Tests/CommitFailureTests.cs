using System.Net;

namespace Varlor.Server.Tests;

/// <summary>
/// A real PostgreSQL failure at COMMIT (a deferred constraint trigger that raises), after the file was already
/// renamed into place: the hardest moment for row/file consistency. Nothing half-written may remain.
/// </summary>
public sealed class CommitFailureTests(ServerFixture server) : IClassFixture<ServerFixture>, IAsyncLifetime
{
    private const string FailingName = "fail-at-commit";

    public async Task InitializeAsync() => await server.Database.ScalarAsync($"""
        CREATE OR REPLACE FUNCTION test_fail_commit() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF NEW.name = '{FailingName}' THEN RAISE EXCEPTION 'injected failure at commit'; END IF;
            RETURN NEW;
        END $$;
        DROP TRIGGER IF EXISTS test_fail_commit ON datasets;
        CREATE CONSTRAINT TRIGGER test_fail_commit AFTER INSERT OR UPDATE ON datasets
            DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION test_fail_commit();
        """);

    public Task DisposeAsync() => Task.CompletedTask;

    [Fact]
    public async Task Upload_whose_commit_fails_leaves_no_row_and_no_file()
    {
        var (tenant, _, client) = await server.AddTenantAsync();
        var response = await client.PostAsync("/api/v1/datasets", Multipart.File("x.csv", "a\n1\n"u8.ToArray(), name: FailingName));
        await HttpAssert.ProblemAsync(response, 500);

        Assert.Equal(0, await server.DatasetRowsAsync(tenant.Id));
        Assert.DoesNotContain(server.StoredFiles(), f => f.Contains(tenant.Id.ToString(), StringComparison.Ordinal));
        Assert.Empty(server.StoredFiles("tmp"));
    }

    [Fact]
    public async Task Reupload_whose_commit_fails_keeps_the_previous_version()
    {
        var (tenant, _, client) = await server.AddTenantAsync();
        var v1 = await HttpAssert.JsonAsync<Dataset>(
            await client.PostAsync("/api/v1/datasets", Multipart.File("v.csv", "a\n1\n")), HttpStatusCode.Created);

        var response = await client.PutAsync($"/api/v1/datasets/{v1.Id}/file", Multipart.File("v.csv", "a\n2\n"u8.ToArray(), name: FailingName));
        await HttpAssert.ProblemAsync(response, 500);

        var after = await HttpAssert.JsonAsync<Dataset>(await client.GetAsync($"/api/v1/datasets/{v1.Id}"), HttpStatusCode.OK);
        Assert.Equal(1, after.Version);
        Assert.Equal("a\n1\n", await client.GetStringAsync($"/api/v1/datasets/{v1.Id}/file"));
        Assert.Equal([$"datasets/{tenant.Id}/{v1.Id}/v1.csv"], server.StoredFiles().Where(f => f.Contains(tenant.Id.ToString(), StringComparison.Ordinal)));
        Assert.Empty(server.StoredFiles("tmp"));
    }

    [Fact]
    public async Task Concurrent_uploads_and_reuploads_stay_consistent()
    {
        var (tenant, _, client) = await server.AddTenantAsync();
        var uploads = await Task.WhenAll(Enumerable.Range(0, 8).Select(async i =>
            await HttpAssert.JsonAsync<Dataset>(
                await client.PostAsync("/api/v1/datasets", Multipart.File($"d{i}.csv", $"n\n{i}\n")), HttpStatusCode.Created)));
        var target = uploads[0].Id;
        var statuses = await Task.WhenAll(Enumerable.Range(0, 6).Select(async i =>
            (await client.PutAsync($"/api/v1/datasets/{target}/file", Multipart.File("r.csv", $"n\n{i}\n"))).StatusCode));
        Assert.All(statuses, s => Assert.Equal(HttpStatusCode.OK, s));

        var final = await HttpAssert.JsonAsync<Dataset>(await client.GetAsync($"/api/v1/datasets/{target}"), HttpStatusCode.OK);
        Assert.Equal(7, final.Version);
        var files = server.StoredFiles().Where(f => f.Contains(tenant.Id.ToString(), StringComparison.Ordinal)).ToList();
        Assert.Equal(8, files.Count); // one file per dataset: every replaced version was removed
        Assert.Contains($"datasets/{tenant.Id}/{target}/v7.csv", files);
        Assert.Equal(8, await server.DatasetRowsAsync(tenant.Id));
        Assert.Empty(server.StoredFiles("tmp"));
    }
}
