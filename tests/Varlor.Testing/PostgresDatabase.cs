using Npgsql;
using Xunit;

namespace Varlor.Testing;

/// <summary>
/// A fresh, empty database on the shared cluster. Use it as an xunit class fixture
/// (<c>IClassFixture&lt;PostgresDatabase&gt;</c>) to get one database per test class; it is dropped afterwards.
/// Or create one with <see cref="PostgresCluster.CreateDatabaseAsync"/> and dispose it yourself.
/// </summary>
public sealed class PostgresDatabase : IAsyncLifetime, IAsyncDisposable
{
    private PostgresCluster? _cluster;
    private string? _name;
    private bool _dropped;

    /// <summary>For xunit: the database is created in InitializeAsync.</summary>
    public PostgresDatabase()
    {
    }

    internal PostgresDatabase(PostgresCluster cluster, string name)
    {
        _cluster = cluster;
        _name = name;
    }

    public PostgresCluster Cluster => _cluster ?? throw new InvalidOperationException("the database is not created yet (InitializeAsync)");
    public string Name => _name ?? throw new InvalidOperationException("the database is not created yet (InitializeAsync)");
    public string ConnectionString => Cluster.ConnectionString(Name);

    /// <summary>PGHOST, PGPORT, PGUSER and PGDATABASE pointing at this database.</summary>
    public IReadOnlyDictionary<string, string> LibpqEnvironment => Cluster.LibpqEnvironment(Name);

    public NpgsqlDataSource CreateDataSource() => NpgsqlDataSource.Create(ConnectionString);

    public async Task<NpgsqlConnection> OpenConnectionAsync(CancellationToken ct = default)
    {
        var conn = new NpgsqlConnection(ConnectionString);
        await conn.OpenAsync(ct);
        return conn;
    }

    /// <summary>Runs a query and returns the first column of the first row (or null).</summary>
    public async Task<object?> ScalarAsync(string sql, params object[] parameters)
    {
        await using var conn = await OpenConnectionAsync();
        await using var cmd = new NpgsqlCommand(sql, conn);
        foreach (var p in parameters) cmd.Parameters.Add(new NpgsqlParameter { Value = p });
        var value = await cmd.ExecuteScalarAsync();
        return value is DBNull ? null : value;
    }

    public async Task InitializeAsync()
    {
        if (_name is not null) return;
        var cluster = await PostgresCluster.GetSharedAsync();
        var created = await cluster.CreateDatabaseAsync("t");
        _cluster = cluster;
        _name = created.Name;
    }

    async Task IAsyncLifetime.DisposeAsync() => await DisposeAsync();

    public async ValueTask DisposeAsync()
    {
        if (_dropped || _cluster is null || _name is null) return;
        _dropped = true;
        using (var conn = new NpgsqlConnection(ConnectionString)) NpgsqlConnection.ClearPool(conn);
        await _cluster.DropDatabaseAsync(_name);
    }
}
