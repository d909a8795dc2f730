using Varlor.Backup.Engines.Checking;
using Varlor.Backup.Engines.Restoring;
using Varlor.Backup.Repository;
using Varlor.Backup.Storage;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Cli.Tests.Support;

/// <summary>In-process checks after a fault: the repository checks clean and snapshots restore to what was backed up.</summary>
public static class RepoVerifier
{
    public static Task<Repo> OpenAsync(CliHarness cli)
    {
        Environment.SetEnvironmentVariable("VARLOR_KDF_MEMORY_KIB", "8192");
        return Repo.OpenAsync(new LocalBackend(cli.Repo), cli.Env["VARLOR_PASSWORD"]!, CancellationToken.None);
    }

    /// <summary>check --read-data: no error (packs left unindexed by a killed process are only warnings).</summary>
    public static async Task AssertChecksCleanAsync(CliHarness cli, string context)
    {
        using var repo = await OpenAsync(cli);
        var report = await new Checker(repo).RunAsync(new CheckOptions { ReadData = true }, CancellationToken.None);
        Assert.True(report.Ok, context + ": " + string.Join("; ", report.Errors));
    }

    public static async Task<List<BlobId>> SnapshotIdsAsync(CliHarness cli)
    {
        using var repo = await OpenAsync(cli);
        return [.. (await repo.LoadSnapshotsAsync(CancellationToken.None)).Select(s => s.Id)];
    }

    /// <summary>Restores a snapshot into a fresh folder and compares it with the description taken at backup time.</summary>
    public static async Task AssertRestoresAsync(CliHarness cli, BlobId snapshot, string source, Dictionary<string, string> expected, string context)
    {
        var target = Path.Combine(cli.Root, "verify-" + Guid.NewGuid().ToString("N")[..8]);
        try
        {
            using var repo = await OpenAsync(cli);
            var snap = await repo.LoadSnapshotAsync(snapshot, CancellationToken.None);
            var result = await new Restorer(repo).RunAsync(snap, new RestoreOptions { Target = target }, CancellationToken.None);
            Assert.True(result.Errors.Count == 0, context + ": " + string.Join("; ", result.Errors));
            Assert.Equal(expected, Describe(target + source));
        }
        finally
        {
            Directory.Delete(target, recursive: true);
        }
    }

    /// <summary>Relative path to type, size and content hash (mtimes of folders change with the test's own edits).</summary>
    public static Dictionary<string, string> Describe(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).ToDictionary(
            p => Path.GetRelativePath(root, p),
            p => Directory.Exists(p) ? "dir" : $"{new FileInfo(p).Length}:{Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(File.ReadAllBytes(p)))}");
}
