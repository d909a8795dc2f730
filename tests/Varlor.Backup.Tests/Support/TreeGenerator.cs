using System.Text;

namespace Varlor.Backup.Tests.Support;

/// <summary>Random Varlor-like trees (tenants, datasets, CSV and binary files, empty folders, symlinks) from a seed.</summary>
public sealed class TreeGenerator(int seed)
{
    private readonly Random _rng = new(seed);

    public void Generate(string root, int tenants = 3, int datasetsPerTenant = 3)
    {
        Directory.CreateDirectory(Path.Combine(root, "empty-folder"));
        for (var t = 0; t < tenants; t++)
            for (var d = 0; d < datasetsPerTenant; d++)
            {
                var dir = Path.Combine(root, "storage", "datasets", $"tenant-{t}", $"{1000 + d}");
                Directory.CreateDirectory(dir);
                WriteCsv(Path.Combine(dir, "export.csv"), _rng.Next(0, 4000));
                if (_rng.Next(3) == 0) WriteRandom(Path.Combine(dir, "blob.bin"), _rng.Next(0, 3_000_000));
                if (_rng.Next(4) == 0) File.CreateSymbolicLink(Path.Combine(dir, "latest"), "export.csv");
                if (_rng.Next(5) == 0) File.SetUnixFileMode(Path.Combine(dir, "export.csv"), UnixFileMode.UserRead | UnixFileMode.UserWrite);
            }
        var logs = Path.Combine(root, "logs");
        Directory.CreateDirectory(logs);
        WriteCsv(Path.Combine(logs, "app.log"), 500);
    }

    public void WriteCsv(string path, int rows)
    {
        var sb = new StringBuilder("id,created_at,amount,name,category\n");
        for (var i = 0; i < rows; i++)
            sb.Append(i).Append(",2026-0").Append(1 + _rng.Next(9)).Append("-1").Append(_rng.Next(10)).Append("T10:00:00Z,")
              .Append(_rng.Next(100000) / 100.0).Append(",name-").Append(_rng.Next(5000)).Append(",cat").Append(_rng.Next(7)).Append('\n');
        File.WriteAllText(path, sb.ToString());
    }

    public void WriteRandom(string path, int size)
    {
        var bytes = new byte[size];
        _rng.NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
    }

    /// <summary>A random edit: append to a file, rewrite one, delete one, add a folder.</summary>
    public void Mutate(string root)
    {
        var files = Directory.GetFiles(root, "*", SearchOption.AllDirectories).Where(f => !new FileInfo(f).Attributes.HasFlag(FileAttributes.ReparsePoint)).ToArray();
        if (files.Length > 0)
        {
            File.AppendAllText(files[_rng.Next(files.Length)], "appended,line\n");
            var victim = files[_rng.Next(files.Length)];
            if (File.Exists(victim)) File.Delete(victim);
        }
        var newDir = Path.Combine(root, "storage", "datasets", "tenant-new", _rng.Next(100000).ToString());
        Directory.CreateDirectory(newDir);
        WriteCsv(Path.Combine(newDir, "new.csv"), _rng.Next(1, 300));
    }
}
