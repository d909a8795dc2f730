using System.Diagnostics;
using Npgsql;
using Varlor.Backup.Engines.Archiving;
using Varlor.Backup.Postgres.Common;
using Varlor.Backup.Repository;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Postgres.Dumps;

public sealed record DumpOptions
{
    public string? PgBin { get; init; }
    public IReadOnlyList<string> Tags { get; init; } = [];
    public IReadOnlyCollection<string> ChecksumTables { get; init; } = [.. Catalog.DefaultChecksumTables];
    public string? Host { get; init; }
}

public sealed record DumpResult(BackupResult Backup, DumpManifest Manifest);

/// <summary>
/// A logical dump streamed into the repository: a REPEATABLE READ transaction exports its snapshot, reads the
/// exact row count of every table in it, and pg_dump --snapshot dumps that same state (custom format,
/// uncompressed: the repository compresses per chunk and unchanged rows deduplicate day over day). pg_dump's
/// output goes straight into the chunker: nothing of the dump is written to disk but packs. If pg_dump fails or
/// is killed, the run fails before a snapshot is saved.
/// </summary>
public sealed class DbDumper(Repo repo, PgSettings settings)
{
    public const string DumpFile = "dump.pgdump";
    public const string ManifestFile = "manifest.json";
    public const string Root = "/postgresql";
    /// <summary>pg_dump's header holds the dump's time: its first 64 KiB are a chunk of their own (see StreamSource.HeadChunk).</summary>
    public const int HeaderChunk = 64 * 1024;
    /// <summary>
    /// Dumps are cut into 256 KiB chunks on average (64 KiB to 1 MiB) instead of the repository's 1 MiB: a day's
    /// few changed rows per page then cost a quarter of the space (30 daily dumps: 2.38x -> 1.52x one dump, see
    /// docs/benchmarks.md), for about 0.2% more on the first dump.
    /// </summary>
    public const int ChunkAverage = 256 * 1024;

    private readonly StreamArchiver _archiver = new(repo);

    public long BytesDone => _archiver.BytesDone;

    public static string FolderOf(string database) => $"{Root}/{database.Replace('/', '_')}";

    public async Task<DumpResult> RunAsync(DumpOptions options, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;
        await using var conn = await PgConnect.OpenAsync(settings, ct);
        var serverMajor = conn.PostgreSqlVersion.Major;
        var tools = PgTools.Locate(options.PgBin, serverMajor);
        var pgDumpVersion = await tools.RequireAtLeastAsync("pg_dump", serverMajor, ct);

        await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        await Exec(conn, "SET TRANSACTION READ ONLY", ct);
        string snapshotName, database, encoding, collate, ctype, serverVersion, owner;
        long dbBytes;
        await using (var cmd = new NpgsqlCommand("""
            SELECT pg_export_snapshot(), current_database(), pg_encoding_to_char(d.encoding), d.datcollate, d.datctype,
                   pg_database_size(d.oid), current_setting('server_version'), pg_get_userbyid(d.datdba)
            FROM pg_database d WHERE d.datname = current_database()
            """, conn))
        await using (var r = await cmd.ExecuteReaderAsync(ct))
        {
            await r.ReadAsync(ct);
            (snapshotName, database, encoding, collate, ctype, dbBytes, serverVersion, owner) =
                (r.GetString(0), r.GetString(1), r.GetString(2), r.GetString(3), r.GetString(4), r.GetInt64(5), r.GetString(6), r.GetString(7));
        }
        var tables = await Catalog.ReadTablesAsync(conn, options.ChecksumTables, ct);

        ToolOutputStream? dump = null;
        ChildProcess? child = null;
        DumpManifest? manifest = null;
        var folder = FolderOf(database);
        var sources = new List<StreamSource>
        {
            new($"{folder}/{DumpFile}", _ =>
            {
                child = ChildProcess.Start(tools.Path_("pg_dump"),
                    [$"--snapshot={snapshotName}", "--format=custom", "--compress=0", "--no-password"],
                    settings.ChildEnvironment(database));
                return Task.FromResult<Stream>(dump = new ToolOutputStream(child));
            }) { HeadChunk = HeaderChunk, ChunkAverage = ChunkAverage },
            new($"{folder}/{ManifestFile}", _ =>
            {
                manifest = new DumpManifest
                {
                    Database = database, ServerVersion = serverVersion, PgDumpVersion = pgDumpVersion, Format = "custom --compress=0",
                    Encoding = encoding, Collate = collate, Ctype = ctype, Owner = owner, Started = started, Finished = DateTimeOffset.UtcNow,
                    DurationSeconds = Math.Round(clock.Elapsed.TotalSeconds, 3), DumpBytes = dump!.BytesRead, DatabaseBytes = dbBytes,
                    Tables = tables,
                };
                return Task.FromResult<Stream>(new MemoryStream(manifest.ToJson()));
            }) { ChunkAverage = ChunkAverage },
        };
        try
        {
            var result = await _archiver.RunAsync(sources, new StreamBackupOptions
            {
                Tags = ["db", $"db:{database}", .. options.Tags], Host = options.Host,
            }, ct);
            await tx.CommitAsync(ct);
            return new DumpResult(result, manifest!);
        }
        finally
        {
            if (child is not null) await child.DisposeAsync();
        }
    }

    private static async Task Exec(NpgsqlConnection conn, string sql, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand(sql, conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
