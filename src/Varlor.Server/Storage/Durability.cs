using System.Runtime.InteropServices;

namespace Varlor.Server.Storage;

/// <summary>fsync of files and directories, so that a rename survives a power cut.</summary>
public static partial class Durability
{
    private const int ORdOnly = 0;
    private const int ODirectory = 0x10000; // Linux x86_64 and arm64

    public static void FlushFile(FileStream stream) => stream.Flush(flushToDisk: true);

    /// <summary>Makes a directory's entries (a file created or renamed in it) durable. A no-op off Linux.</summary>
    public static void FlushDirectory(string path)
    {
        if (!OperatingSystem.IsLinux()) return;
        var fd = Open(path, ORdOnly | ODirectory);
        if (fd < 0)
            throw new IOException($"cannot open directory {path} to flush it (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            if (Fsync(fd) != 0)
                throw new IOException($"fsync of directory {path} failed (errno {Marshal.GetLastPInvokeError()})");
        }
        finally
        {
            _ = Close(fd);
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int fd);
}
