using System.Runtime.InteropServices;

namespace Varlor.Backup.Engines.FileSystem;

/// <summary>lstat-like metadata through statx(2), whose layout is the same on every Linux architecture.</summary>
public readonly record struct UnixStat(uint Mode, uint Uid, uint Gid, ulong Inode, ulong Device, long Size, long MtimeNs, long CtimeNs, uint Links = 1)
{
    public const uint TypeMask = 0xF000, TypeFile = 0x8000, TypeDir = 0x4000, TypeSymlink = 0xA000;
    public bool IsFile => (Mode & TypeMask) == TypeFile;
    public bool IsDir => (Mode & TypeMask) == TypeDir;
    public bool IsSymlink => (Mode & TypeMask) == TypeSymlink;
    public uint Permissions => Mode & 0xFFF;

    /// <summary>Stats a path without following a final symlink; returns an errno on failure.</summary>
    public static unsafe bool TryGet(string path, out UnixStat stat, out int errno)
    {
        var buffer = stackalloc byte[256];
        if (NativeMethods.statx(-100 /* AT_FDCWD */, path, 0x100 /* AT_SYMLINK_NOFOLLOW */, 0x7FF /* STATX_BASIC_STATS */, buffer) != 0)
        {
            errno = Marshal.GetLastPInvokeError();
            stat = default;
            return false;
        }
        errno = 0;
        static long Ns(byte* t) => *(long*)t * 1_000_000_000L + *(uint*)(t + 8);
        stat = new UnixStat(
            Mode: *(ushort*)(buffer + 28),
            Uid: *(uint*)(buffer + 20),
            Gid: *(uint*)(buffer + 24),
            Inode: *(ulong*)(buffer + 32),
            Device: ((ulong)*(uint*)(buffer + 136) << 32) | *(uint*)(buffer + 140),
            Size: *(long*)(buffer + 40),
            MtimeNs: Ns(buffer + 112),
            CtimeNs: Ns(buffer + 96),
            Links: *(uint*)(buffer + 16));
        return true;
    }
}

internal static unsafe partial class NativeMethods
{
    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int statx(int dirfd, string path, int flags, uint mask, byte* buffer);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int lchown(string path, uint owner, uint group);

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8, SetLastError = true)]
    internal static partial int utimensat(int dirfd, string path, Timespec* times, int flags);

    [LibraryImport("libc")]
    internal static partial uint geteuid();

    [StructLayout(LayoutKind.Sequential)]
    internal struct Timespec
    {
        public long Seconds;
        public long Nanoseconds;

        /// <summary>Nanoseconds since the epoch, before it too (the nanoseconds part is never negative).</summary>
        public static Timespec FromNs(long ns)
        {
            var seconds = Math.DivRem(ns, 1_000_000_000L, out var rem);
            return rem < 0 ? new Timespec { Seconds = seconds - 1, Nanoseconds = rem + 1_000_000_000L } : new Timespec { Seconds = seconds, Nanoseconds = rem };
        }
    }

    /// <summary>Sets atime and mtime of a path (not following symlinks) with nanosecond precision.</summary>
    public static bool SetTimes(string path, long mtimeNs)
    {
        var times = stackalloc Timespec[2];
        times[0] = times[1] = Timespec.FromNs(mtimeNs);
        return utimensat(-100, path, times, 0x100 /* AT_SYMLINK_NOFOLLOW */) == 0;
    }
}
