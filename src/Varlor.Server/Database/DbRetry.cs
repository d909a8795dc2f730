using System.Net.Sockets;
using Npgsql;

namespace Varlor.Server.Database;

/// <summary>
/// One retry on a fresh connection for work handed a pooled connection that PostgreSQL has ended meanwhile: a
/// restart, a pg_terminate_backend (the backup tool's database swap) or a dropped socket leaves idle connections
/// in the pool that fail on their next command. The retry is only for errors after which nothing was committed.
/// </summary>
public static class DbRetry
{
    /// <summary>
    /// The connection was ended by the server or broke: 57P01 admin shutdown, 57P02 crash shutdown, 57P03 cannot
    /// connect now, class 08 (connection exception), or an I/O error on the socket. A statement in flight was
    /// rolled back with its session.
    /// </summary>
    public static bool IsStaleConnection(Exception e) => e switch
    {
        PostgresException p => p.SqlState is "57P01" or "57P02" or "57P03" || p.SqlState.StartsWith("08", StringComparison.Ordinal),
        NpgsqlException n => n.InnerException is IOException or SocketException,
        _ => false,
    };

    /// <summary>
    /// Runs <paramref name="work"/>, and once more after emptying the pool when it failed with a stale connection.
    /// Only for work that commits nothing (reads) or whose commit is outside it (see <see cref="BeginAsync"/>).
    /// </summary>
    public static async Task<T> RunAsync<T>(NpgsqlDataSource dataSource, Func<CancellationToken, Task<T>> work, CancellationToken ct)
    {
        try
        {
            return await work(ct);
        }
        catch (Exception e) when (IsStaleConnection(e) && !ct.IsCancellationRequested)
        {
            // The other idle connections were most likely ended by the same event: drop them all.
            dataSource.Clear();
            return await work(ct);
        }
    }

    /// <summary>
    /// Opens a connection, begins a transaction and runs <paramref name="prepare"/> in it, with the retry of
    /// <see cref="RunAsync"/>: until the caller commits, a failure rolls everything back, so running it again
    /// cannot apply anything twice. The caller commits (never retried) and disposes the result.
    /// </summary>
    public static Task<PreparedTransaction<T>> BeginAsync<T>(NpgsqlDataSource dataSource,
        Func<NpgsqlConnection, NpgsqlTransaction, CancellationToken, Task<T>> prepare, CancellationToken ct) =>
        RunAsync(dataSource, async c =>
        {
            var conn = await dataSource.OpenConnectionAsync(c);
            try
            {
                var tx = await conn.BeginTransactionAsync(c);
                return new PreparedTransaction<T>(conn, tx, await prepare(conn, tx, c));
            }
            catch
            {
                await conn.DisposeAsync(); // rolls back
                throw;
            }
        }, ct);
}

/// <summary>A transaction whose statements ran and that awaits its commit; disposing it uncommitted rolls it back.</summary>
public sealed class PreparedTransaction<T>(NpgsqlConnection connection, NpgsqlTransaction transaction, T value) : IAsyncDisposable
{
    public NpgsqlTransaction Transaction { get; } = transaction;
    public T Value { get; } = value;

    public async ValueTask DisposeAsync()
    {
        await Transaction.DisposeAsync();
        await connection.DisposeAsync();
    }
}
