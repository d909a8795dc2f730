using Npgsql;
using Varlor.Backup.Engines.Restoring;
using Varlor.Backup.Postgres.Common;
using Varlor.Backup.Postgres.Verification;
using Varlor.Backup.Repository;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Postgres.Dumps;

public sealed record RestoreRequest
{
    /// <summary>The database to create and restore into (whole restore), or to restore the tables into.</summary>
    public required string TargetDatabase { get; init; }
    /// <summary>Tables to restore ("name" or "schema.name"); empty: the whole database.</summary>
    public IReadOnlyList<string> Tables { get; init; } = [];
    /// <summary>Selective restore into an existing database, replacing the tables (one transaction).</summary>
    public bool IntoExisting { get; init; }
    public int Jobs { get; init; } = 1;
    public string? PgBin { get; init; }
    /// <summary>Folder of the temporary copy of the dump that pg_restore --jobs needs (default: $TMPDIR).</summary>
    public string? TempFolder { get; init; }
    /// <summary>Owner of a database created for the restore (default: the dumped database's; the restoring role must be a member of it).</summary>
    public string? Owner { get; init; }
}

/// <summary>
/// Pipes a stored dump into pg_restore. A whole restore creates a new database (encoding and collation as at dump
/// time) and drops it again if pg_restore fails; --jobs N writes the dump to a temporary file first (pg_restore
/// runs in parallel only from a seekable file). A table restore builds a filtered -L list (see <see cref="TocFilter"/>).
/// Row counts (and checksums where recorded) are compared with the manifest afterwards.
/// </summary>
public sealed class DbRestorer(Repo repo, PgSettings settings, StoredDump dump)
{
    public async Task<PgTools> ToolsAsync(string? pgBin, CancellationToken ct)
    {
        await using var conn = await PgConnect.OpenAsync(settings, ct, MaintenanceDatabase);
        var tools = PgTools.Locate(pgBin, conn.PostgreSqlVersion.Major);
        await tools.RequireAtLeastAsync("pg_restore", int.Parse(dump.Manifest.ServerVersion.Split('.')[0], System.Globalization.CultureInfo.InvariantCulture), ct);
        return tools;
    }

    public static string MaintenanceDatabase => "postgres";

    public IReadOnlyList<TableInfo> ResolveTables(IReadOnlyList<string> names)
    {
        var result = new List<TableInfo>();
        foreach (var name in names)
        {
            var dot = name.IndexOf('.', StringComparison.Ordinal);
            var matches = dump.Manifest.Tables.Where(t => dot < 0 ? t.Name == name : t.QualifiedName == name).ToList();
            if (matches.Count == 0) throw new VarlorException($"table {name} is not in the dump of {dump.Manifest.Database} (snapshot {dump.Snapshot.Id.Short})");
            if (matches.Count > 1) throw new VarlorException($"table {name} exists in several schemas: write schema.{name}");
            result.Add(matches[0]);
        }
        return [.. result.Distinct()];
    }

    /// <summary>Creates the database and restores the whole dump into it; the new database is dropped on failure.</summary>
    public async Task<RestoreCheck> RestoreWholeAsync(RestoreRequest request, CancellationToken ct)
    {
        var tools = await ToolsAsync(request.PgBin, ct);
        await CreateDatabaseAsync(request.TargetDatabase, ct, request.Owner);
        try
        {
            await PgRestoreAsync(tools, request, ["--exit-on-error"], ct);
            return await RestoreCheck.RunAsync(settings, request.TargetDatabase, dump.Manifest.Tables, ct);
        }
        catch
        {
            await DropDatabaseAsync(request.TargetDatabase, CancellationToken.None);
            throw;
        }
    }

    /// <summary>The plan of a table restore (what the -L list holds), without running it.</summary>
    public async Task<TocFilter.Plan> PlanTablesAsync(PgTools tools, IReadOnlyList<TableInfo> tables, bool inPlace, CancellationToken ct)
    {
        var toc = await PipeAsync(tools.Path_("pg_restore"), ["--list"], settings.ChildEnvironment(), readOutput: true, ct);
        return TocFilter.Build(toc, dump.Manifest, tables, inPlace);
    }

    /// <summary>
    /// Restores tables with their objects. Into an existing database, in one transaction with --clean: the tables
    /// are dropped and recreated, or nothing changes. Into a new database: created first, dropped on failure.
    /// </summary>
    public async Task<(TocFilter.Plan Plan, RestoreCheck Check)> RestoreTablesAsync(RestoreRequest request, CancellationToken ct)
    {
        var tools = await ToolsAsync(request.PgBin, ct);
        var tables = ResolveTables(request.Tables);
        var plan = await PlanTablesAsync(tools, tables, request.IntoExisting, ct);
        var listFile = Path.Combine(request.TempFolder ?? Path.GetTempPath(), $"varlor-toc-{Guid.NewGuid():N}.list");
        await File.WriteAllLinesAsync(listFile, plan.ListFile, ct);
        var created = false;
        try
        {
            if (!request.IntoExisting)
            {
                await CreateDatabaseAsync(request.TargetDatabase, ct);
                created = true;
            }
            string[] args = request.IntoExisting
                ? ["--use-list=" + listFile, "--clean", "--if-exists", "--single-transaction", "--exit-on-error"]
                : ["--use-list=" + listFile, "--single-transaction", "--exit-on-error"];
            await PgRestoreAsync(tools, request with { Jobs = 1 }, args, ct);
            return (plan, await RestoreCheck.RunAsync(settings, request.TargetDatabase, tables, ct));
        }
        catch
        {
            if (created) await DropDatabaseAsync(request.TargetDatabase, CancellationToken.None);
            throw;
        }
        finally
        {
            File.Delete(listFile);
        }
    }

    private async Task PgRestoreAsync(PgTools tools, RestoreRequest request, string[] extra, CancellationToken ct)
    {
        List<string> args = ["--no-password", "--dbname=" + ConnInfoDbName(request.TargetDatabase), .. extra];
        if (request.Jobs <= 1)
        {
            await PipeAsync(tools.Path_("pg_restore"), args, settings.ChildEnvironment(request.TargetDatabase), readOutput: false, ct);
            return;
        }
        var file = Path.Combine(request.TempFolder ?? Path.GetTempPath(), $"varlor-dump-{Guid.NewGuid():N}.pgdump");
        try
        {
            await using (var output = new FileStream(file, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite }))
                await SnapshotFile.CopyToAsync(repo, dump.Dump, output, ct);
            await ChildProcess.RunAsync(tools.Path_("pg_restore"), [.. args, $"--jobs={request.Jobs}", file], settings.ChildEnvironment(request.TargetDatabase), ct);
        }
        finally
        {
            File.Delete(file);
        }
    }

    /// <summary>Feeds the dump to a tool's stdin; returns its stdout when asked. A tool that stops reading early is fine if it succeeds.</summary>
    private async Task<string> PipeAsync(string tool, IEnumerable<string> args, IReadOnlyDictionary<string, string?> env, bool readOutput, CancellationToken ct)
    {
        await using var child = ChildProcess.Start(tool, args, env, redirectInput: true);
        var output = readOutput ? new StreamReader(child.StandardOutput).ReadToEndAsync(ct) : child.StandardOutput.CopyToAsync(Stream.Null, ct).ContinueWith(_ => "", TaskScheduler.Default);
        try
        {
            await SnapshotFile.CopyToAsync(repo, dump.Dump, child.StandardInput, ct);
            child.StandardInput.Close();
        }
        catch (IOException)
        {
            // The tool closed its input (finished early, or failed): its exit status tells which.
        }
        await child.WaitAsync(ct);
        return await output;
    }

    /// <summary>A libpq conninfo naming only the database (so a name holding '=' is not taken for a conninfo).</summary>
    private static string ConnInfoDbName(string database) =>
        "dbname='" + database.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("'", "\\'", StringComparison.Ordinal) + "'";

    /// <summary>
    /// Creates the database owned by <paramref name="owner"/>, else by the dumped database's owner when that role
    /// exists here: pg_restore gives every object back to its owner (ALTER ... OWNER TO), which PostgreSQL allows
    /// only when the owner may create in the schema, and PostgreSQL 15's public schema belongs to the database owner.
    /// </summary>
    public async Task CreateDatabaseAsync(string name, CancellationToken ct, string? owner = null)
    {
        await using var conn = await PgConnect.OpenAsync(settings, ct, MaintenanceDatabase);
        owner ??= dump.Manifest.Owner is { } recorded && await RoleExistsAsync(conn, recorded, ct) ? recorded : null;
        var m = dump.Manifest;
        await using var cmd = new NpgsqlCommand($"CREATE DATABASE {Catalog.Quote(name)} TEMPLATE template0 ENCODING '{m.Encoding.Replace("'", "", StringComparison.Ordinal)}' LC_COLLATE '{m.Collate.Replace("'", "", StringComparison.Ordinal)}' LC_CTYPE '{m.Ctype.Replace("'", "", StringComparison.Ordinal)}'" +
            (owner is null ? "" : " OWNER " + Catalog.Quote(owner)), conn);
        try
        {
            await cmd.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException e) when (e.SqlState == "42P04")
        {
            throw new VarlorException($"database {name} already exists: choose another --target-db, or drop it first");
        }
        catch (PostgresException e) when (e.SqlState == "42501" && owner is not null)
        {
            throw new VarlorException($"cannot create database {name} owned by {owner}, the dumped database's owner ({e.MessageText}): " +
                $"the restoring role must be a member of {owner} (GRANT {owner} TO <role>; see the operator's guide)");
        }
    }

    private static async Task<bool> RoleExistsAsync(NpgsqlConnection conn, string role, CancellationToken ct)
    {
        await using var cmd = new NpgsqlCommand("SELECT EXISTS (SELECT FROM pg_roles WHERE rolname = $1)", conn);
        cmd.Parameters.Add(new NpgsqlParameter { Value = role });
        return (bool)(await cmd.ExecuteScalarAsync(ct))!;
    }

    public async Task DropDatabaseAsync(string name, CancellationToken ct)
    {
        await using var conn = await PgConnect.OpenAsync(settings, ct, MaintenanceDatabase);
        await using var cmd = new NpgsqlCommand($"DROP DATABASE IF EXISTS {Catalog.Quote(name)} WITH (FORCE)", conn);
        await cmd.ExecuteNonQueryAsync(ct);
    }
}
