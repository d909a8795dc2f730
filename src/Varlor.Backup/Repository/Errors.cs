namespace Varlor.Backup.Repository;

/// <summary>An error the user can act on; its message is printed as is, on one line.</summary>
public class VarlorException(string message, int exitCode = ExitCodes.Failure, Exception? inner = null) : Exception(message, inner)
{
    public int ExitCode { get; } = exitCode;
}

public sealed class RepositoryNotFoundException(string location)
    : VarlorException($"no repository at {location}: create one with 'varlor-backup init' or check --repo / VARLOR_REPOSITORY", ExitCodes.RepositoryNotFound);

public sealed class WrongPasswordException()
    : VarlorException("wrong password: no key of this repository opens with it", ExitCodes.WrongPassword);

public sealed class RepositoryLockedException(string message) : VarlorException(message, ExitCodes.Locked);

/// <summary>Stored data failed authentication or its hash check: never used, always reported.</summary>
public sealed class CorruptDataException(string message) : VarlorException(message, ExitCodes.Failure);

/// <summary>Exit codes: documented in README.md; scripts rely on them.</summary>
public static class ExitCodes
{
    public const int Success = 0;
    public const int Failure = 1;
    public const int PartialBackup = 3;
    /// <summary>check --max-age: the newest matching snapshot is older than the age, or none matches.</summary>
    public const int TooOld = 4;
    public const int RepositoryNotFound = 10;
    public const int Locked = 11;
    public const int WrongPassword = 12;
    public const int Interrupted = 130;
}
