using System.Globalization;

namespace Varlor.Backup.Cli.Terminal;

public static class Format
{
    public static string Bytes(long bytes)
    {
        string[] units = ["B", "KiB", "MiB", "GiB", "TiB"];
        double v = bytes;
        var u = 0;
        while (Math.Abs(v) >= 1024 && u < units.Length - 1) { v /= 1024; u++; }
        return u == 0 ? $"{bytes} B" : v.ToString("0.0", CultureInfo.InvariantCulture) + " " + units[u];
    }

    /// <summary>"1 folder", "2 folders", "0 files": a count with its noun in the right number (plural: noun + s unless given).</summary>
    public static string Count(long n, string noun, string? plural = null) =>
        n.ToString(CultureInfo.InvariantCulture) + " " + (n == 1 ? noun : plural ?? noun + "s");

    public static string Time(DateTimeOffset t) => t.ToUniversalTime().ToString("yyyy-MM-dd HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Mode(Repository.Trees.NodeType type, uint mode)
    {
        var chars = new char[10];
        chars[0] = type switch { Repository.Trees.NodeType.Dir => 'd', Repository.Trees.NodeType.Symlink => 'l', _ => '-' };
        const string rwx = "rwxrwxrwx";
        for (var i = 0; i < 9; i++) chars[i + 1] = (mode & (1u << (8 - i))) != 0 ? rwx[i] : '-';
        return new string(chars);
    }
}
