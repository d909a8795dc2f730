using System.Globalization;
using System.Data.Common;
using Npgsql;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Postgres.Common;

/// <summary>
/// Where the database is, the same for Npgsql and for PostgreSQL's tools: the libpq environment (PGHOST, PGPORT,
/// PGUSER, PGPASSWORD or PGPASSFILE, PGDATABASE) or a connection string (--db, Npgsql keywords such as
/// "Host=db;Port=5432;Username=varlor;Database=varlor"), whose values override the environment's. Child tools
/// receive them as PG* environment variables only, never as arguments, so a password never shows in a process list.
/// </summary>
public sealed record PgSettings
{
    public required string Host { get; init; }
    public required int Port { get; init; }
    public required string User { get; init; }
    public required string Database { get; init; }
    public string? Password { get; init; }
    public string? Passfile { get; init; }
    public string? SslMode { get; init; }

    public static PgSettings Resolve(string? connectionString, Func<string, string?>? env = null)
    {
        env ??= Environment.GetEnvironmentVariable;
        var given = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        try
        {
            var parsed = new DbConnectionStringBuilder { ConnectionString = connectionString ?? "" };
            foreach (string key in parsed.Keys) given[Canonical(key)] = parsed[key]?.ToString() ?? "";
        }
        catch (ArgumentException)
        {
            throw new VarlorException("--db: not a valid connection string; use e.g. \"Host=db;Port=5432;Username=varlor;Database=varlor\"");
        }
        string? Pick(string key, string envName) => given.TryGetValue(key, out var v) && v.Length > 0 ? v : Empty(env(envName));
        var user = Pick("username", "PGUSER") ?? Environment.UserName;
        var portText = Pick("port", "PGPORT") ?? "5432";
        if (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out var port) || port is < 1 or > 65535)
            throw new VarlorException($"PostgreSQL port '{portText}' is not a port number");
        return new PgSettings
        {
            Host = Pick("host", "PGHOST") ?? "/var/run/postgresql",
            Port = port,
            User = user,
            Database = Pick("database", "PGDATABASE") ?? user,
            Password = Pick("password", "PGPASSWORD"),
            Passfile = Pick("passfile", "PGPASSFILE"),
            SslMode = Pick("sslmode", "PGSSLMODE"),
        };
    }

    private static string Canonical(string key) => key.Replace(" ", "", StringComparison.Ordinal).ToLowerInvariant() switch
    {
        "server" or "host" => "host",
        "userid" or "user" or "username" => "username",
        "pwd" or "password" => "password",
        "db" or "database" or "dbname" => "database",
        var k => k,
    };

    private static string? Empty(string? s) => string.IsNullOrEmpty(s) ? null : s;

    /// <summary>Where, for messages (never the password).</summary>
    public string Where => Host.StartsWith('/') ? $"{Host} (socket) port {Port}" : $"{Host}:{Port}";

    public PgSettings WithDatabase(string database) => this with { Database = database };

    public string ConnectionString(string? database = null)
    {
        var b = new NpgsqlConnectionStringBuilder
        {
            Host = Host, Port = Port, Username = User, Database = database ?? Database,
            Pooling = false, Timeout = 15, CommandTimeout = 0, ApplicationName = "varlor-backup",
        };
        if (Password is not null) b.Password = Password;
        if (Passfile is not null) b.Passfile = Passfile;
        if (SslMode is not null && Enum.TryParse<SslMode>(SslMode.Replace("-", "", StringComparison.Ordinal), ignoreCase: true, out var mode)) b.SslMode = mode;
        return b.ConnectionString;
    }

    /// <summary>The PG* variables a child tool needs to reach the same server (and database).</summary>
    public Dictionary<string, string?> ChildEnvironment(string? database = null)
    {
        var e = new Dictionary<string, string?>
        {
            ["PGHOST"] = Host,
            ["PGPORT"] = Port.ToString(CultureInfo.InvariantCulture),
            ["PGUSER"] = User,
            ["PGDATABASE"] = database ?? Database,
            ["PGPASSWORD"] = Password,
            ["PGPASSFILE"] = Passfile,
            ["PGCONNECT_TIMEOUT"] = "15",
            ["PGAPPNAME"] = "varlor-backup",
            ["PGOPTIONS"] = null,
        };
        if (SslMode is not null) e["PGSSLMODE"] = SslMode;
        return e;
    }
}
