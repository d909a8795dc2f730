using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace Varlor.Backup.Engines.FileSystem;

/// <summary>
/// Metadata set through an open handle (fchown, fchmod, futimens), so that it reaches exactly the file that was
/// opened, never another one through a symlink or a path swapped in between; and the path operations a restore
/// needs that .NET does not offer (realpath, rename of a symlink, a folder opened without following symlinks).
/// </summary>
internal static unsafe partial class UnixFiles
{
    private const int O_RDONLY = 0, O_DIRECTORY = 0x10000, O_NOFOLLOW = 0x20000, O_CLOEXEC = 0x80000;

    /// <summary>Sets owner (when <paramref name="chown"/>), permission bits and mtime (atime too) of an open file.</summary>
    public static void SetMetadata(SafeFileHandle handle, bool chown, uint uid, uint gid, uint mode, long mtimeNs)
    {
        var added = false;
        handle.DangerousAddRef(ref added);
        try
        {
            SetMetadata((int)handle.DangerousGetHandle(), chown, uid, gid, mode, mtimeNs);
        }
        finally
        {
            if (added) handle.DangerousRelease();
        }
    }

    /// <summary>The same for a folder, opened without following a symlink at its last component.</summary>
    public static void SetFolderMetadata(string path, bool chown, uint uid, uint gid, uint mode, long mtimeNs)
    {
        var fd = open(path, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0) throw Failure("open", path);
        try
        {
            SetMetadata(fd, chown, uid, gid, mode, mtimeNs);
        }
        finally
        {
            close(fd);
        }
    }

    private static void SetMetadata(int fd, bool chown, uint uid, uint gid, uint mode, long mtimeNs)
    {
        // Owner first: chown clears the set-user-ID and set-group-ID bits that chmod then sets.
        if (chown && fchown(fd, uid, gid) != 0) throw Failure("chown", null);
        if (fchmod(fd, mode & 0xFFF) != 0) throw Failure("chmod", null);
        var times = stackalloc NativeMethods.Timespec[2];
        times[0] = times[1] = NativeMethods.Timespec.FromNs(mtimeNs);
        if (futimens(fd, times) != 0) throw Failure("set times", null);
    }

    /// <summary>The path with every symlink resolved, or null when it cannot be resolved (missing, a loop).</summary>
    public static string? RealPath(string path)
    {
        var p = realpath(path, IntPtr.Zero);
        if (p == IntPtr.Zero) return null;
        try
        {
            return Marshal.PtrToStringUTF8(p);
        }
        finally
        {
            NativeMemory.Free((void*)p);
        }
    }

    /// <summary>rename(2): atomic, and moves a symlink itself (File.Move looks at what it points to).</summary>
    public static void Rename(string from, string to)
    {
        if (rename(from, to) != 0) throw Failure("rename", to);
    }

    private static IOException Failure(string what, string? path)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{what}{(path is null ? "" : " " + path)} failed: {Marshal.GetPInvokeErrorMessage(errno)} (errno {errno})");
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int open(string path, int flags);

    [LibraryImport("libc")]
    private static partial int close(int fd);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fchown(int fd, uint owner, uint group);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int fchmod(int fd, uint mode);

    [LibraryImport("libc", SetLastError = true)]
    private static partial int futimens(int fd, NativeMethods.Timespec* times);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial IntPtr realpath(string path, IntPtr resolved);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    private static partial int rename(string from, string to);
}
