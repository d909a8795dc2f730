using System.Globalization;
using Microsoft.Extensions.Configuration;

namespace Varlor.Server.Configuration;

/// <summary>Everything the service reads from appsettings.json and the Varlor__* and VARLOR_* environment variables.</summary>
public sealed record ServerSettings
{
    public required string ConnectionString { get; init; }
    public required string StorageRoot { get; init; }
    public required string LogDirectory { get; init; }
    public string? AdminKey { get; init; }
    public string Urls { get; init; } = "http://127.0.0.1:5080";
    public long MaxUploadBytes { get; init; } = 1L << 30;
    /// <summary>The flag file whose presence puts the service in maintenance mode.</summary>
    public string MaintenanceFile { get; init; } = "";
    public int RetryAfterSeconds { get; init; } = 120;
    public TimeSpan PurgeAfter { get; init; } = TimeSpan.FromDays(7);
    /// <summary>Whether `run` and every other command that uses the database apply pending migrations first.</summary>
    public bool MigrateOnStart { get; init; } = true;
    public bool ConsoleLog { get; init; } = true;
    /// <summary>How often the background purge runs; zero disables it.</summary>
    public TimeSpan PurgeInterval { get; init; } = TimeSpan.FromHours(1);

    public string EffectiveMaintenanceFile =>
        string.IsNullOrWhiteSpace(MaintenanceFile) ? Path.Combine(StorageRoot, "maintenance.flag") : MaintenanceFile;

    /// <summary>
    /// Reads, each overriding the one before: appsettings.json beside the program (section "Varlor"), the .NET
    /// configuration's environment variables (Varlor__Database, Varlor__Storage…: "__" separates sections), then
    /// the VARLOR_* variables (VARLOR_DB, VARLOR_STORAGE…), which win because existing deployments set them.
    /// The command line (`run --urls`) wins over all.
    /// </summary>
    /// <param name="environment">The variables to use instead of the process environment (tests).</param>
    /// <param name="baseDirectory">Where appsettings.json is; the program's folder by default.</param>
    public static ServerSettings Load(IReadOnlyDictionary<string, string?>? environment = null, string? baseDirectory = null)
    {
        var builder = new ConfigurationBuilder()
            .SetBasePath(baseDirectory ?? AppContext.BaseDirectory)
            .AddJsonFile("appsettings.json", optional: true);
        if (environment is null)
            builder.AddEnvironmentVariables();
        else // what AddEnvironmentVariables reads from the process: "__" is the section separator
            builder.AddInMemoryCollection(environment.Where(v => v.Key.Contains("__", StringComparison.Ordinal))
                .Select(v => KeyValuePair.Create(v.Key.Replace("__", ConfigurationPath.KeyDelimiter, StringComparison.Ordinal), v.Value)));
        var config = builder.Build();
        return From(config.GetSection("Varlor"), name => environment is null
            ? Environment.GetEnvironmentVariable(name)
            : environment.GetValueOrDefault(name));
    }

    public static ServerSettings From(IConfiguration section, Func<string, string?> env)
    {
        string Pick(string envName, string key, string fallback)
        {
            var fromEnv = env(envName);
            if (!string.IsNullOrWhiteSpace(fromEnv)) return fromEnv;
            var fromFile = section[key];
            return string.IsNullOrWhiteSpace(fromFile) ? fallback : fromFile;
        }

        long PickLong(string envName, string key, long fallback)
        {
            var text = Pick(envName, key, fallback.ToString(CultureInfo.InvariantCulture));
            return long.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) && v > 0
                ? v
                : throw new InvalidOperationException($"setting {key} ({envName}) must be a positive whole number, not '{text}'");
        }

        var admin = Pick("VARLOR_ADMIN_KEY", "AdminKey", "");
        return new ServerSettings
        {
            ConnectionString = Pick("VARLOR_DB", "Database", "Host=127.0.0.1;Port=5432;Database=varlor;Username=varlor_prod"),
            StorageRoot = Path.GetFullPath(Pick("VARLOR_STORAGE", "Storage", "/var/www/varlor/storage")),
            LogDirectory = Path.GetFullPath(Pick("VARLOR_LOGS", "Logs", "/var/log/varlor")),
            AdminKey = admin.Length == 0 ? null : admin,
            Urls = Pick("VARLOR_URLS", "Urls", "http://127.0.0.1:5080"),
            MaxUploadBytes = PickLong("VARLOR_MAX_UPLOAD_BYTES", "MaxUploadBytes", 1L << 30),
            MaintenanceFile = Pick("VARLOR_MAINTENANCE_FILE", "MaintenanceFile", ""),
            RetryAfterSeconds = (int)Math.Min(PickLong("VARLOR_RETRY_AFTER_SECONDS", "RetryAfterSeconds", 120), 86_400),
            PurgeAfter = TimeSpan.FromDays(PickLong("VARLOR_PURGE_AFTER_DAYS", "PurgeAfterDays", 7)),
            MigrateOnStart = !string.Equals(Pick("VARLOR_MIGRATE_ON_START", "MigrateOnStart", "true"), "false", StringComparison.OrdinalIgnoreCase),
            ConsoleLog = !string.Equals(Pick("VARLOR_CONSOLE_LOG", "ConsoleLog", "true"), "false", StringComparison.OrdinalIgnoreCase),
        };
    }
}
