using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Npgsql;
using Varlor.Backup.Engines.Archiving;
using Varlor.Backup.Postgres.Common;
using Varlor.Backup.Postgres.Dumps;
using Varlor.Backup.Repository;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Postgres.BaseBackups;

/// <summary>What a base backup recorded, stored as manifest.json beside base.tar.</summary>
public sealed record BaseBackupManifest
{
    public int Version { get; init; } = 1;
    public required string SystemIdentifier { get; init; }
    public required string ServerVersion { get; init; }
    public required string PgBasebackupVersion { get; init; }
    public required int Timeline { get; init; }
    public required string StartLsn { get; init; }
    public string? EndLsn { get; init; }
    public required DateTimeOffset Started { get; init; }
    public double DurationSeconds { get; init; }
    /// <summary>When pg_basebackup had finished: a restore is consistent from here (conservatively).</summary>
    public DateTimeOffset? Finished { get; init; }
    /// <summary>The cluster's WAL segment size in bytes (16 MiB unless initdb chose otherwise).</summary>
    public long WalSegmentSize { get; init; } = 16 * 1024 * 1024;
    /// <summary>archive_mode and archive_timeout (seconds) at backup time, and whether archive_command is 'wal push':
    /// without archiving a base backup recovers only to its own end.</summary>
    public string? ArchiveMode { get; init; }
    public int? ArchiveTimeoutSeconds { get; init; }
    public bool? ArchivesWithVarlor { get; init; }
    /// <summary>Transaction ids below this were assigned before the backup ended (pg_snapshot_xmax at the end).</summary>
    public string? EndXid { get; init; }
    /// <summary>Transaction ids from this on were unassigned when the backup started (pg_snapshot_xmax before pg_basebackup).</summary>
    public string? StartXid { get; init; }
    /// <summary>pg_current_snapshot() before pg_basebackup ("xmin:xmax:running xids").</summary>
    public string? StartSnapshot { get; init; }
    /// <summary>The role that made the backup and counted the tables (it can read every one of them).</summary>
    public string? User { get; init; }
    public long TarBytes { get; init; }
    public required List<string> Databases { get; init; }
    /// <summary>
    /// Every table of every database that takes connections, with its exact row count (and the checksum of
    /// datasets and dataset_columns), read right after pg_basebackup ended; null in manifests of older versions.
    /// </summary>
    public List<DatabaseContents>? Contents { get; init; }

    /// <summary>
    /// Whether any transaction was assigned or ended between the start of the backup and the counts: then the
    /// restored cluster may differ from the counts (null when the manifest cannot tell). When false, the restored
    /// cluster must hold exactly the counted rows.
    /// </summary>
    [JsonIgnore]
    public bool? WrittenDuringBackup => StartSnapshot is null || Contents is null ? null
        : Contents.Exists(c => c.Snapshot is not null && c.Snapshot != StartSnapshot);

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, DumpManifest.Json);
    public static BaseBackupManifest FromJson(byte[] bytes) => JsonSerializer.Deserialize<BaseBackupManifest>(bytes, DumpManifest.Json)
        ?? throw new JsonException("empty manifest");
}

/// <summary>
/// One database's tables as counted at backup time, in one REPEATABLE READ transaction whose snapshot is
/// <see cref="Snapshot"/>; <see cref="Error"/> says why a database could not be counted (Tables is then empty).
/// </summary>
public sealed record DatabaseContents
{
    public required string Database { get; init; }
    public string? Snapshot { get; init; }
    public string? Error { get; init; }
    public List<TableInfo> Tables { get; init; } = [];
}

/// <summary>
/// A physical copy of the whole cluster: pg_basebackup in tar format to stdout, with the WAL it needs included
/// (-X fetch), streamed into a snapshot tagged basebackup (nothing written to disk but packs). The copy is
/// self-consistent: restored into an empty folder and started, it recovers to the end of the backup. Right after
/// pg_basebackup ends, the exact row count of every table of every database is recorded in the manifest (as a dump
/// records them), with the transaction snapshots before the backup and of the counts: verify-restore compares
/// them with a restored copy, exactly when nothing was written meanwhile. Needs a
/// role with REPLICATION and a replication line in pg_hba.conf; one tablespace only (pg_basebackup's limit
/// for stdout).
/// </summary>
public sealed class BaseBackup(Repo repo, PgSettings settings)
{
    public const string Root = "/postgresql-cluster";
    public const string TarFile = "base.tar";
    public const string ManifestFile = "manifest.json";
    /// <summary>zstd level of base backups (the repository's default is 3): measured in bench/postgres.sh against pgBackRest's lz4.</summary>
    public static int CompressionLevel { get; } = int.TryParse(Environment.GetEnvironmentVariable("VARLOR_BASEBACKUP_ZSTD_LEVEL"), out var l) && l is >= -5 and <= 19 ? l : 1;
    private readonly StreamArchiver _archiver = new(repo);

    public async Task<(BackupResult Backup, BaseBackupManifest Manifest)> RunAsync(string? pgBin, IReadOnlyList<string> tags, CancellationToken ct, bool count = false)
    {
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;
        string system, serverVersion, startLsn, startSnapshot, startXid;
        int timeline;
        long segmentSize;
        string archiveMode;
        int archiveTimeout;
        bool archivesHere;
        var databases = new List<string>();
        var connectable = new List<string>();
        int major;
        await using (var conn = await PgConnect.OpenAsync(settings, ct))
        {
            major = conn.PostgreSqlVersion.Major;
            await using (var cmd = new NpgsqlCommand("""
                SELECT (SELECT system_identifier::text FROM pg_control_system()), current_setting('server_version'),
                       pg_current_wal_lsn()::text, (SELECT timeline_id FROM pg_control_checkpoint()),
                       (SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size'),
                       pg_current_snapshot()::text, pg_snapshot_xmax(pg_current_snapshot())::text,
                       current_setting('archive_mode'), (SELECT setting::int FROM pg_settings WHERE name = 'archive_timeout'),
                       current_setting('archive_command') LIKE '%wal push%'
                """, conn))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
            {
                await r.ReadAsync(ct);
                (system, serverVersion, startLsn, timeline, segmentSize) = (r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetInt64(4));
                (startSnapshot, startXid) = (r.GetString(5), r.GetString(6));
                (archiveMode, archiveTimeout, archivesHere) = (r.GetString(7), r.GetInt32(8), r.GetBoolean(9));
            }
            await using (var cmd = new NpgsqlCommand("SELECT datname, datallowconn FROM pg_database WHERE NOT datistemplate ORDER BY 1", conn))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct))
                {
                    databases.Add(r.GetString(0));
                    if (r.GetBoolean(1)) connectable.Add(r.GetString(0));
                }
        }
        var tools = PgTools.Locate(pgBin, major);
        var toolVersion = await tools.RequireAtLeastAsync("pg_basebackup", major, ct);
        var folder = $"{Root}/{system}";
        ChildProcess? child = null;
        ToolOutputStream? tar = null;
        BaseBackupManifest? manifest = null;
        try
        {
            var result = await _archiver.RunAsync([
                new StreamSource($"{folder}/{TarFile}", _ =>
                {
                    child = ChildProcess.Start(tools.Path_("pg_basebackup"),
                        ["--pgdata=-", "--format=tar", "--wal-method=fetch", "--checkpoint=fast", "--no-password",
                         $"--label=varlor-backup {started:yyyy-MM-ddTHH:mm:ssZ}"], settings.ChildEnvironment());
                    return Task.FromResult<Stream>(tar = new ToolOutputStream(child));
                }),
                new StreamSource($"{folder}/{ManifestFile}", async token =>
                {
                    string? endLsn = null, endXid = null;
                    await using (var conn = await PgConnect.OpenAsync(settings, token))
                    await using (var cmd = new NpgsqlCommand("SELECT pg_current_wal_lsn()::text, pg_snapshot_xmax(pg_current_snapshot())::text", conn))
                    await using (var r = await cmd.ExecuteReaderAsync(token))
                    {
                        await r.ReadAsync(token);
                        (endLsn, endXid) = (r.GetString(0), r.GetString(1));
                    }
                    var duration = clock.Elapsed;
                    var finished = DateTimeOffset.UtcNow;
                    // Counting scans every table (seconds per GiB): only when asked, for an exact verify-restore.
                    List<DatabaseContents>? contents = null;
                    if (count)
                    {
                        contents = new List<DatabaseContents>(connectable.Count);
                        foreach (var database in connectable) contents.Add(await CountAsync(database, token));
                    }
                    manifest = new BaseBackupManifest
                    {
                        SystemIdentifier = system, ServerVersion = serverVersion, PgBasebackupVersion = toolVersion, Timeline = timeline,
                        StartLsn = startLsn, EndLsn = endLsn, Started = started, DurationSeconds = Math.Round(duration.TotalSeconds, 3),
                        Finished = finished, WalSegmentSize = segmentSize, EndXid = endXid,
                        ArchiveMode = archiveMode, ArchiveTimeoutSeconds = archiveTimeout, ArchivesWithVarlor = archivesHere, StartXid = startXid, StartSnapshot = startSnapshot, User = settings.User,
                        TarBytes = tar!.BytesRead, Databases = databases, Contents = contents,
                    };
                    return new MemoryStream(manifest.ToJson());
                }),
            ], new StreamBackupOptions { Tags = ["basebackup", .. tags], CompressionLevel = CompressionLevel }, ct);
            return (result, manifest!);
        }
        finally
        {
            if (child is not null) await child.DisposeAsync();
        }
    }

    /// <summary>
    /// The exact row count of every table of a database (and the default checksums), in one read-only
    /// REPEATABLE READ transaction, with that transaction's snapshot. A database that cannot be read (no CONNECT
    /// privilege, pg_hba, no read access to a table) is recorded with the reason instead: the backup itself is
    /// sound, only its verification will say that this database was not counted.
    /// </summary>
    private async Task<DatabaseContents> CountAsync(string database, CancellationToken ct)
    {
        try
        {
            await using var conn = await PgConnect.OpenAsync(settings, ct, database);
            await using var tx = await conn.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            string snapshot;
            // The first query (SET is none) fixes the transaction's snapshot: the one the counts below are read in.
            await using (var cmd = new NpgsqlCommand("SET TRANSACTION READ ONLY", conn, tx))
                await cmd.ExecuteNonQueryAsync(ct);
            await using (var cmd = new NpgsqlCommand("SELECT pg_current_snapshot()::text", conn, tx))
                snapshot = (string)(await cmd.ExecuteScalarAsync(ct))!;
            var tables = await Catalog.ReadTablesAsync(conn, Catalog.DefaultChecksumTables, ct);
            await tx.CommitAsync(ct);
            return new DatabaseContents { Database = database, Snapshot = snapshot, Tables = tables };
        }
        catch (NpgsqlException e)
        {
            // Also a database dropped meanwhile (its sessions terminated): that is no fault of the backup.
            return new DatabaseContents { Database = database, Error = e is PostgresException pg ? $"{pg.MessageText} ({pg.SqlState})" : e.Message };
        }
        catch (VarlorException e) when (e.ExitCode is DbExitCodes.AuthenticationFailed or ExitCodes.Failure)
        {
            return new DatabaseContents { Database = database, Error = e.Message };
        }
    }
}
