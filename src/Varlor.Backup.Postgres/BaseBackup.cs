using System.Diagnostics;
using System.Text.Json;
using Npgsql;
using Varlor.Backup.Engines.Archiving;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Postgres;

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
    /// <summary>Transaction ids below this were assigned before the backup ended (pg_snapshot_xmax at the end).</summary>
    public string? EndXid { get; init; }
    public long TarBytes { get; init; }
    public required List<string> Databases { get; init; }

    public byte[] ToJson() => JsonSerializer.SerializeToUtf8Bytes(this, DumpManifest.Json);
    public static BaseBackupManifest FromJson(byte[] bytes) => JsonSerializer.Deserialize<BaseBackupManifest>(bytes, DumpManifest.Json)
        ?? throw new JsonException("empty manifest");
}

/// <summary>
/// A physical copy of the whole cluster: pg_basebackup in tar format to stdout, with the WAL it needs included
/// (-X fetch), streamed into a snapshot tagged basebackup (nothing written to disk but packs). The copy is
/// self-consistent: restored into an empty folder and started, it recovers to the end of the backup. Needs a
/// role with REPLICATION and a replication line in pg_hba.conf; one tablespace only (pg_basebackup's limit
/// for stdout).
/// </summary>
public sealed class BaseBackup(Repo repo, PgSettings settings)
{
    public const string Root = "/postgresql-cluster";
    public const string TarFile = "base.tar";
    public const string ManifestFile = "manifest.json";
    private readonly StreamArchiver _archiver = new(repo);

    public async Task<(BackupResult Backup, BaseBackupManifest Manifest)> RunAsync(string? pgBin, IReadOnlyList<string> tags, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var started = DateTimeOffset.UtcNow;
        string system, serverVersion, startLsn;
        int timeline;
        long segmentSize;
        var databases = new List<string>();
        int major;
        await using (var conn = await PgConnect.OpenAsync(settings, ct))
        {
            major = conn.PostgreSqlVersion.Major;
            await using (var cmd = new NpgsqlCommand("""
                SELECT (SELECT system_identifier::text FROM pg_control_system()), current_setting('server_version'),
                       pg_current_wal_lsn()::text, (SELECT timeline_id FROM pg_control_checkpoint()),
                       (SELECT setting::bigint FROM pg_settings WHERE name = 'wal_segment_size')
                """, conn))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
            {
                await r.ReadAsync(ct);
                (system, serverVersion, startLsn, timeline, segmentSize) = (r.GetString(0), r.GetString(1), r.GetString(2), r.GetInt32(3), r.GetInt64(4));
            }
            await using (var cmd = new NpgsqlCommand("SELECT datname FROM pg_database WHERE NOT datistemplate ORDER BY 1", conn))
            await using (var r = await cmd.ExecuteReaderAsync(ct))
                while (await r.ReadAsync(ct)) databases.Add(r.GetString(0));
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
                    manifest = new BaseBackupManifest
                    {
                        SystemIdentifier = system, ServerVersion = serverVersion, PgBasebackupVersion = toolVersion, Timeline = timeline,
                        StartLsn = startLsn, EndLsn = endLsn, Started = started, DurationSeconds = Math.Round(clock.Elapsed.TotalSeconds, 3),
                        Finished = DateTimeOffset.UtcNow, WalSegmentSize = segmentSize, EndXid = endXid,
                        TarBytes = tar!.BytesRead, Databases = databases,
                    };
                    return new MemoryStream(manifest.ToJson());
                }),
            ], new StreamBackupOptions { Tags = ["basebackup", .. tags] }, ct);
            return (result, manifest!);
        }
        finally
        {
            if (child is not null) await child.DisposeAsync();
        }
    }
}
