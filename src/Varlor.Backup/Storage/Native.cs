using System.Runtime.InteropServices;

namespace Varlor.Backup.Storage;

internal static partial class Native
{
    private const int O_RDONLY = 0, O_DIRECTORY = 0x10000, O_CLOEXEC = 0x80000;

    [LibraryImport("libc", EntryPoint = "open", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int fsync(int fd);

    [LibraryImport("libc", EntryPoint = "close")]
    private static partial int close(int fd);

    /// <summary>fsync of a folder, so that renames and deletions in it survive a crash.</summary>
    public static void FsyncDirectory(string dir)
    {
        var fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
        if (fd < 0) throw new IOException($"cannot open folder {dir} (errno {Marshal.GetLastPInvokeError()})");
        try
        {
            // EINVAL: the file system cannot fsync folders; nothing more can be done there.
            if (fsync(fd) != 0 && Marshal.GetLastPInvokeError() is var errno && errno != 22)
                throw new IOException($"fsync of folder {dir} failed (errno {errno})");
        }
        finally { close(fd); }
    }
}
