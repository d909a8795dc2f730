using System.Globalization;
using System.Text.RegularExpressions;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Postgres.Common;

/// <summary>
/// Finds PostgreSQL's programs: $VARLOR_PG_BIN (or --pg-bin) if given, else /usr/lib/postgresql/&lt;server
/// major&gt;/bin, else the newest /usr/lib/postgresql/*/bin, else PATH. A pg_dump older than the server is refused.
/// </summary>
public sealed partial record PgTools(string? BinDirectory)
{
    public static PgTools Locate(string? binDirectory, int serverMajor)
    {
        binDirectory ??= Environment.GetEnvironmentVariable("VARLOR_PG_BIN") is { Length: > 0 } e ? e : null;
        if (binDirectory is not null)
        {
            if (!Directory.Exists(binDirectory)) throw new VarlorException($"PostgreSQL programs folder {binDirectory} does not exist", DbExitCodes.ToolFailed);
            return new PgTools(binDirectory);
        }
        var same = $"/usr/lib/postgresql/{serverMajor}/bin";
        if (File.Exists(Path.Combine(same, "pg_dump"))) return new PgTools(same);
        var newest = Directory.Exists("/usr/lib/postgresql")
            ? Directory.GetDirectories("/usr/lib/postgresql")
                .Select(d => (Dir: Path.Combine(d, "bin"), Major: int.TryParse(Path.GetFileName(d), NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : 0))
                .Where(x => File.Exists(Path.Combine(x.Dir, "pg_dump"))).OrderByDescending(x => x.Major).FirstOrDefault().Dir
            : null;
        return new PgTools(newest);
    }

    public string Path_(string tool) => BinDirectory is null ? tool : Path.Combine(BinDirectory, tool);

    /// <summary>"15.18" from "pg_dump (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)".</summary>
    public async Task<string> VersionAsync(string tool, CancellationToken ct)
    {
        var text = await ChildProcess.RunAsync(Path_(tool), ["--version"], new Dictionary<string, string?>(), ct);
        var m = VersionPattern().Match(text);
        return m.Success ? m.Groups[1].Value : text.Trim();
    }

    /// <summary>Refuses a tool older than the server (pg_dump would refuse too, later and less clearly).</summary>
    public async Task<string> RequireAtLeastAsync(string tool, int serverMajor, CancellationToken ct)
    {
        var version = await VersionAsync(tool, ct);
        var major = int.TryParse(version.Split('.')[0], NumberStyles.None, CultureInfo.InvariantCulture, out var m) ? m : 0;
        if (major < serverMajor)
            throw new VarlorException($"{tool} {version} is older than the server (PostgreSQL {serverMajor}): install postgresql-client-{serverMajor} or set VARLOR_PG_BIN", DbExitCodes.ToolFailed);
        return version;
    }

    [GeneratedRegex(@"\(PostgreSQL\)\s+(\d+(?:\.\d+)?)")]
    private static partial Regex VersionPattern();
}
