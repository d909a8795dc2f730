using Varlor.Testing;

namespace Varlor.Server.Tests;

/// <summary>The shared PostgreSQL fixture itself: what every later database test relies on.</summary>
public sealed class PostgresFixtureTests(PostgresDatabase database) : IClassFixture<PostgresDatabase>
{
    [Fact]
    public async Task Cluster_is_postgres_15_on_loopback_and_not_run_by_root()
    {
        var cluster = database.Cluster;
        Assert.StartsWith("15.", cluster.Version, StringComparison.Ordinal);
        Assert.Equal("127.0.0.1", cluster.Host);
        Assert.True(File.Exists(cluster.Tool("pg_dump")));
        Assert.Equal("off", await database.ScalarAsync("SHOW fsync"));
        Assert.Equal(database.Name, await database.ScalarAsync("SELECT current_database()"));
        if (OsUser.IsRoot)
        {
            var owner = await ProcessRunner.RunAsync("stat", ["-c", "%u", cluster.DataDirectory]);
            Assert.NotEqual("0", owner.StandardOutput.Trim());
        }
    }

    [Fact]
    public async Task Libpq_environment_works_for_psql()
    {
        var result = await ProcessRunner.RunAsync(database.Cluster.Tool("psql"),
            ["-X", "-A", "-t", "-c", "SELECT current_database()"], database.LibpqEnvironment);
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Equal(database.Name, result.StandardOutput.Trim());
    }

    [Fact]
    public async Task Each_database_is_fresh_and_dropped_on_dispose()
    {
        var cluster = await PostgresCluster.GetSharedAsync();
        Assert.Same(cluster, database.Cluster);
        string name;
        await using (var other = await cluster.CreateDatabaseAsync("scratch"))
        {
            name = other.Name;
            Assert.NotEqual(database.Name, name);
            Assert.Equal(0L, await other.ScalarAsync("SELECT count(*) FROM information_schema.tables WHERE table_schema = 'public'"));
        }

        Assert.Equal(0L, await database.ScalarAsync("SELECT count(*) FROM pg_database WHERE datname = $1", name));
    }
}
