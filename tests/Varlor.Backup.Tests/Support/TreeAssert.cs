using System.Security.Cryptography;
using Varlor.Backup.Engines.FileSystem;

namespace Varlor.Backup.Tests.Support;

/// <summary>Compares two folders the way a user would: names, types, bytes, modes, mtimes and symlink targets.</summary>
public static class TreeAssert
{
    public static void Equal(string expected, string actual)
    {
        var e = Describe(expected);
        var a = Describe(actual);
        Assert.Equal(e.Keys.Order(StringComparer.Ordinal), a.Keys.Order(StringComparer.Ordinal));
        foreach (var (path, desc) in e) Assert.Equal(desc, a[path]);
    }

    public static Dictionary<string, string> Describe(string root)
    {
        var result = new Dictionary<string, string>(StringComparer.Ordinal);
        void Walk(string dir)
        {
            foreach (var entry in Directory.EnumerateFileSystemEntries(dir))
            {
                var rel = Path.GetRelativePath(root, entry);
                Assert.True(UnixStat.TryGet(entry, out var st, out _));
                if (st.IsSymlink) result[rel] = "link:" + new FileInfo(entry).LinkTarget;
                else if (st.IsDir)
                {
                    result[rel] = $"dir:{Convert.ToString(st.Permissions, 8)}:{st.MtimeNs}";
                    Walk(entry);
                }
                else result[rel] = $"file:{Convert.ToString(st.Permissions, 8)}:{st.MtimeNs}:{st.Size}:{Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(entry)))}";
            }
        }
        Walk(root);
        return result;
    }
}
