using System.Net;

namespace Varlor.Server.Tests;

public sealed class TenantIsolationTests(ServerFixture server) : IClassFixture<ServerFixture>
{
    [Fact]
    public async Task A_tenant_cannot_see_or_touch_another_tenants_dataset()
    {
        var (alice, _, aliceClient) = await server.AddTenantAsync("alice");
        var (_, _, bobClient) = await server.AddTenantAsync("bob");
        var secret = await HttpAssert.JsonAsync<Dataset>(
            await aliceClient.PostAsync("/api/v1/datasets", Multipart.File("secret.csv", "a\n42\n")), HttpStatusCode.Created);

        var bobs = await HttpAssert.JsonAsync<DatasetPage>(await bobClient.GetAsync("/api/v1/datasets"), HttpStatusCode.OK);
        Assert.Empty(bobs.Items);

        // Every route answers as if the id did not exist: nothing tells Bob that it does.
        var unknownId = Guid.NewGuid().ToString();
        var unknown = await HttpAssert.ProblemAsync(await bobClient.GetAsync($"/api/v1/datasets/{unknownId}"), 404);
        var get = await HttpAssert.ProblemAsync(await bobClient.GetAsync($"/api/v1/datasets/{secret.Id}"), 404);
        Assert.Equal(unknown.Replace(unknownId, "<id>", StringComparison.Ordinal), get.Replace(secret.Id.ToString(), "<id>", StringComparison.Ordinal));
        await HttpAssert.ProblemAsync(await bobClient.GetAsync($"/api/v1/datasets/{secret.Id}/file"), 404);
        await HttpAssert.ProblemAsync(await bobClient.PutAsync($"/api/v1/datasets/{secret.Id}/file", Multipart.File("x.csv", "a\n0\n")), 404);
        await HttpAssert.ProblemAsync(await bobClient.DeleteAsync($"/api/v1/datasets/{secret.Id}"), 404);

        // Alice's dataset is untouched.
        var still = await HttpAssert.JsonAsync<Dataset>(await aliceClient.GetAsync($"/api/v1/datasets/{secret.Id}"), HttpStatusCode.OK);
        Assert.Equal(1, still.Version);
        Assert.Equal("ready", still.Status);
        Assert.Equal("a\n42\n", await aliceClient.GetStringAsync($"/api/v1/datasets/{secret.Id}/file"));
        Assert.Equal(1, await server.DatasetRowsAsync(alice.Id));
        Assert.Empty(server.StoredFiles("tmp"));
    }

    [Fact]
    public async Task Api_keys_are_stored_hashed()
    {
        var (tenant, key, _) = await server.AddTenantAsync();
        var stored = (byte[])(await server.Database.ScalarAsync("SELECT api_key_hash FROM tenants WHERE id = $1", tenant.Id))!;
        Assert.Equal(32, stored.Length);
        Assert.Equal(0L, await server.Database.ScalarAsync(
            "SELECT count(*) FROM tenants WHERE position($1 in api_key_hash::text) > 0 OR api_key_prefix = $1", key));
    }
}
