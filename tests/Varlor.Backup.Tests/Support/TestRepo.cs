using System.Runtime.CompilerServices;
using Varlor.Backup.Engines.Archiving;
using Varlor.Backup.Engines.Restoring;
using Varlor.Backup.Storage;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Tests.Support;

internal static class TestSetup
{
    /// <summary>Cheaper Argon2 for the suite (the format stores the parameters; production keeps 64 MiB).</summary>
    [ModuleInitializer]
    internal static void LowerKdfCost() => Environment.SetEnvironmentVariable("VARLOR_KDF_MEMORY_KIB", "8192");
}

/// <summary>A repository in a temporary folder, with helpers to back up and restore through the engines.</summary>
public sealed class TestRepo : IDisposable
{
    public const string Password = "correct horse battery staple";
    public TempDir Dir { get; } = new();
    public string RepoPath => System.IO.Path.Combine(Dir.Path, "repo");
    public LocalBackend Backend { get; }

    public TestRepo()
    {
        Backend = new LocalBackend(RepoPath);
        using var _ = Repo.InitAsync(Backend, Password, CancellationToken.None).GetAwaiter().GetResult();
    }

    public Task<Repo> OpenAsync(string password = Password) => Repo.OpenAsync(Backend, password, CancellationToken.None);

    public async Task<BackupResult> BackupAsync(string path, BackupOptions? options = null, CancellationToken ct = default)
    {
        using var repo = await OpenAsync();
        return await new Archiver(repo).RunAsync(options ?? new BackupOptions { Paths = [path] }, ct);
    }

    public async Task<RestoreResult> RestoreAsync(Varlor.Backup.Repository.BlobId snapshot, string target, params string[] includes)
    {
        using var repo = await OpenAsync();
        var snap = await repo.LoadSnapshotAsync(snapshot, CancellationToken.None);
        return await new Restorer(repo).RunAsync(snap, new RestoreOptions { Target = target, Includes = includes }, CancellationToken.None);
    }

    /// <summary>Flips one bit of the largest pack (the data pack of a small test) at <paramref name="offset"/>.</summary>
    public void FlipBitInLargestPack(long offset)
    {
        var pack = Directory.GetFiles(RepoPath + "/data", "*", SearchOption.AllDirectories).OrderByDescending(f => new FileInfo(f).Length).First();
        using var fs = new FileStream(pack, FileMode.Open, FileAccess.ReadWrite);
        fs.Position = offset;
        var b = fs.ReadByte();
        fs.Position = offset;
        fs.WriteByte((byte)(b ^ 0x01));
    }

    public void Dispose() => Dir.Dispose();
}
