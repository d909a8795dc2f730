namespace Varlor.Backup.Postgres.Common;

/// <summary>Exit codes of the db commands, beside the general ones of ExitCodes (documented in the operator's guide).</summary>
public static class DbExitCodes
{
    /// <summary>The server could not be reached (refused, unknown host, timeout).</summary>
    public const int Unreachable = 20;
    /// <summary>The server refused the credentials (wrong password, unknown role, pg_hba).</summary>
    public const int AuthenticationFailed = 21;
    /// <summary>A restored database does not match what was recorded at dump time (row counts or checksums).</summary>
    public const int VerificationFailed = 22;
    /// <summary>pg_dump or pg_restore failed, or is missing or too old.</summary>
    public const int ToolFailed = 23;
}
