namespace Varlor.Backup.Repository.Locks;

/// <summary>A lock file's content: who holds it, since when, for what.</summary>
public sealed record LockInfo(bool Exclusive, string Hostname, int Pid, string Username, string Command, DateTimeOffset Time)
{
    /// <summary>A lock not refreshed for this long is considered abandoned (holders refresh every 5 minutes).</summary>
    public static readonly TimeSpan StaleAfter = TimeSpan.FromMinutes(30);

    public bool IsStale(DateTimeOffset now)
    {
        if (now - Time > StaleAfter) return true;
        if (Hostname != Environment.MachineName) return false;
        try
        {
            using var p = System.Diagnostics.Process.GetProcessById(Pid);
            return p.HasExited;
        }
        catch (ArgumentException)
        {
            return true; // no such process on this host
        }
    }

    public string Describe() =>
        $"{(Exclusive ? "exclusive" : "shared")} lock held by '{Command}' (pid {Pid} on {Hostname}, user {Username}) since {Time:yyyy-MM-dd HH:mm:ss}Z";
}
