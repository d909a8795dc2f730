namespace Varlor.Backup.Engines.Archiving;

/// <summary>A point-in-time view of a running backup, for progress bars and periodic lines.</summary>
public sealed record BackupProgress(long FilesDone, long BytesDone, long FilesTotal, long BytesTotal, bool TotalsFinal, TimeSpan Elapsed, string? CurrentFile);

/// <summary>Receives what a running engine has to say; implemented by the applications (terminal, JSON, service).</summary>
public interface IEngineReporter
{
    /// <summary>Something was skipped but the run goes on (an unreadable file, a special file).</summary>
    void Warning(string path, string message);
}
