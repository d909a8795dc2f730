namespace Varlor.Testing;

/// <summary>Where the PostgreSQL server programs (initdb, pg_ctl, postgres) are.</summary>
public static class PostgresInstallation
{
    /// <summary>
    /// $VARLOR_PG_BIN, else /usr/lib/postgresql/15/bin, else the directory of initdb on PATH (symlinks
    /// resolved), else the newest /usr/lib/postgresql/*/bin. Null when none has initdb and pg_ctl.
    /// </summary>
    public static string? FindBinDirectory()
    {
        foreach (var candidate in Candidates())
        {
            if (candidate is not null && File.Exists(Path.Combine(candidate, "initdb")) && File.Exists(Path.Combine(candidate, "pg_ctl")))
                return candidate;
        }

        return null;
    }

    public static string RequireBinDirectory() => FindBinDirectory() ?? throw new InvalidOperationException(
        "PostgreSQL server programs not found: install postgresql-15 (Debian) or set VARLOR_PG_BIN to the directory holding initdb and pg_ctl");

    private static IEnumerable<string?> Candidates()
    {
        yield return Environment.GetEnvironmentVariable("VARLOR_PG_BIN");
        yield return "/usr/lib/postgresql/15/bin";
        if (OsUser.FindExecutable("initdb") is { } onPath)
        {
            var resolved = new FileInfo(onPath).ResolveLinkTarget(returnFinalTarget: true)?.FullName ?? onPath;
            yield return Path.GetDirectoryName(resolved);
        }

        if (Directory.Exists("/usr/lib/postgresql"))
        {
            foreach (var dir in Directory.GetDirectories("/usr/lib/postgresql")
                         .OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0))
                yield return Path.Combine(dir, "bin");
        }
    }
}
