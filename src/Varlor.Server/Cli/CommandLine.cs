using Npgsql;
using Varlor.Server.Configuration;
using Varlor.Server.Database;
using Varlor.Server.Hosting;
using Varlor.Server.Maintenance;
using Varlor.Server.Storage;
using Varlor.Server.Tenants;
using Microsoft.Extensions.Logging.Abstractions;

namespace Varlor.Server.Cli;

/// <summary>varlor-server run | migrate | tenant add NAME | tenant list | purge.</summary>
public static class CommandLine
{
    public const string Usage = """
        usage: varlor-server <command>
          run [--urls http://127.0.0.1:PORT]   serve the API
          migrate                               apply pending database migrations and exit (every command migrates first)
          tenant add NAME                       create a tenant and print its API key (shown once)
          tenant list                           list tenants
          purge [--older-than-days N]           remove datasets deleted at least N days ago (default: PurgeAfterDays)
        settings (later wins): appsettings.json beside the program (section Varlor), Varlor__<Key> environment
                  variables (e.g. Varlor__Database), VARLOR_* variables (VARLOR_DB, VARLOR_STORAGE, VARLOR_LOGS,
                  VARLOR_ADMIN_KEY, VARLOR_URLS, VARLOR_MAX_UPLOAD_BYTES, VARLOR_MAINTENANCE_FILE, ...), run --urls
        """;

    /// <param name="environment">Environment variables (VARLOR_*, Varlor__*) to use instead of the process environment (tests).</param>
    public static async Task<int> RunAsync(string[] args, TextWriter stdout, TextWriter stderr,
        IReadOnlyDictionary<string, string?>? environment, CancellationToken ct)
    {
        try
        {
            var settings = ServerSettings.Load(environment);
            switch (args)
            {
                case ["run", .. var rest]:
                    return await RunServerAsync(settings, rest, stderr, ct);
                case ["migrate"]:
                {
                    await using var db = NpgsqlDataSource.Create(settings.ConnectionString);
                    var applied = await new Migrator(db).MigrateAsync(ct);
                    foreach (var m in applied) await stdout.WriteLineAsync($"applied {m.Version:D4} {m.Name}");
                    await stdout.WriteLineAsync(applied.Count == 0
                        ? $"schema is up to date (version {Migrator.Embedded[^1].Version})"
                        : $"schema is now at version {applied[^1].Version}");
                    return 0;
                }
                case ["tenant", "add", var name]:
                {
                    if (TenantStore.ValidateName(name) is { } problem) return await Fail(stderr, problem, 2);
                    await using var db = await OpenDatabaseAsync(settings, ct);
                    var created = await new TenantStore(db).AddAsync(name, ct);
                    await stdout.WriteLineAsync($"tenant {created.Tenant.Name} created (id {created.Tenant.Id})");
                    await stdout.WriteLineAsync($"API key (shown only now, store it safely): {created.ApiKey}");
                    return 0;
                }
                case ["tenant", "list"]:
                {
                    await using var db = await OpenDatabaseAsync(settings, ct);
                    var tenants = await new TenantStore(db).ListAsync(ct);
                    await stdout.WriteLineAsync($"{"NAME",-24} {"ID",-36} {"KEY",-10} {"DATASETS",8}  CREATED");
                    foreach (var (t, count) in tenants)
                        await stdout.WriteLineAsync($"{t.Name,-24} {t.Id,-36} {t.ApiKeyPrefix + "…",-10} {count,8}  {t.CreatedAt:yyyy-MM-dd HH:mm:ss}Z");
                    return 0;
                }
                case ["purge", .. var rest]:
                    return await PurgeAsync(settings, rest, stdout, stderr, ct);
                case [] or ["help"] or ["--help"] or ["-h"]:
                    await stdout.WriteLineAsync(Usage);
                    return args.Length == 0 ? 2 : 0;
                default:
                    return await Fail(stderr, $"unknown command '{string.Join(' ', args)}'\n{Usage}", 2);
            }
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or NpgsqlException or IOException or UnauthorizedAccessException)
        {
            return await Fail(stderr, e.Message, 1);
        }
    }

    private static async Task<int> RunServerAsync(ServerSettings settings, string[] rest, TextWriter stderr, CancellationToken ct)
    {
        string? urls = null;
        for (var i = 0; i < rest.Length; i++)
        {
            if (rest[i] == "--urls" && i + 1 < rest.Length) urls = rest[++i];
            else if (rest[i].StartsWith("--urls=", StringComparison.Ordinal)) urls = rest[i]["--urls=".Length..];
            else return await Fail(stderr, $"run: unknown option '{rest[i]}'\n{Usage}", 2);
        }

        await using var app = await VarlorApp.CreateAsync(settings, urls, ct);
        await app.RunAsync(ct);
        return 0;
    }

    private static async Task<int> PurgeAsync(ServerSettings settings, string[] rest, TextWriter stdout, TextWriter stderr, CancellationToken ct)
    {
        var age = settings.PurgeAfter;
        if (rest is ["--older-than-days", var days])
        {
            if (!int.TryParse(days, out var d) || d < 0) return await Fail(stderr, $"--older-than-days needs a whole number of days, not '{days}'", 2);
            age = TimeSpan.FromDays(d);
        }
        else if (rest.Length > 0)
        {
            return await Fail(stderr, $"purge: unknown option '{rest[0]}'\n{Usage}", 2);
        }

        await using var db = await OpenDatabaseAsync(settings, ct);
        var storage = new DatasetStorage(settings);
        var result = await new PurgeService(db, storage, NullLogger<PurgeService>.Instance).PurgeAsync(age, ct);
        await stdout.WriteLineAsync($"purged {result.Purged} dataset(s) deleted at least {age.TotalDays:0.#} day(s) ago");
        return 0;
    }

    /// <summary>
    /// The database of a command that uses the schema, migrated first (unless MigrateOnStart is false): on a fresh
    /// database `tenant add` may well be the first command run. The migrator's advisory lock lets several start at once.
    /// </summary>
    private static async Task<NpgsqlDataSource> OpenDatabaseAsync(ServerSettings settings, CancellationToken ct)
    {
        var db = NpgsqlDataSource.Create(settings.ConnectionString);
        try
        {
            if (settings.MigrateOnStart) await new Migrator(db).MigrateAsync(ct);
            return db;
        }
        catch
        {
            await db.DisposeAsync();
            throw;
        }
    }

    private static async Task<int> Fail(TextWriter stderr, string message, int code)
    {
        await stderr.WriteLineAsync($"varlor-server: {message}");
        return code;
    }
}
