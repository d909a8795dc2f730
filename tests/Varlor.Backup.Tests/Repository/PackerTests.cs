using System.Security.Cryptography;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Packs;
using Varlor.Backup.Storage;
using Varlor.Backup.Tests.Support;

namespace Varlor.Backup.Tests.Repository;

/// <summary>The packer's writers: several packs stored at once, and the first failure ends them all.</summary>
public sealed class PackerTests
{
    private static readonly CancellationToken None = CancellationToken.None;

    /// <summary>Incompressible blobs of 1 MiB: 16 fill a pack.</summary>
    private static async Task<List<BlobId>> AddAsync(Packer packer, Varlor.Backup.Repository.Repository repo, int blobs)
    {
        var ids = new List<BlobId>();
        for (var i = 0; i < blobs; i++)
        {
            var blob = RandomNumberGenerator.GetBytes(1 << 20);
            var id = repo.Key.ComputeId(blob);
            await packer.AddAsync(id, BlobType.Data, blob, None);
            ids.Add(id);
        }
        return ids;
    }

    private static string[] SpoolLeftovers(TestRepo test) => Directory.GetFiles(test.Backend.SpoolFolder, ".tmp-*");

    [Fact]
    public async Task Packs_are_stored_several_at_once_and_each_blob_is_indexed_once_its_pack_is_stored()
    {
        using var test = new TestRepo();
        var backend = new WatchedBackend(test.Backend) { HoldFirstUntilAnother = true };
        using var repo = await Varlor.Backup.Repository.Repository.OpenAsync(backend, TestRepo.Password, None);
        List<BlobId> ids;
        await using (var packer = new Packer(repo, uploads: 3))
        {
            Assert.Equal(3, packer.Uploads);
            ids = await AddAsync(packer, repo, 16 * 5 + 3);
            await packer.FlushAsync(None);
            // The first pack was held until a second one was being stored: they overlapped, within the bound.
            Assert.InRange(backend.MaxInFlight, 2, 3);
            Assert.Equal(6, packer.WrittenPacks.Count);
            Assert.Equal(6, backend.Stored.Count);
            Assert.Equal(backend.Stored.Order(), packer.WrittenPacks.Select(p => p.Id.ToString()).Order());
        }
        foreach (var id in ids)
            Assert.Equal(id, repo.Key.ComputeId(await repo.ReadBlobAsync(id, BlobType.Data, None)));
        Assert.Empty(SpoolLeftovers(test));
    }

    [Fact]
    public void Local_disk_stores_one_pack_at_a_time_by_default()
    {
        using var test = new TestRepo();
        Assert.Equal(1, ((IStorageBackend)test.Backend).PackUploads);
    }

    [Fact]
    public async Task The_first_failed_store_is_what_the_packer_throws_and_no_spool_file_is_left()
    {
        using var test = new TestRepo();
        var backend = new WatchedBackend(test.Backend) { FailPack = 2 };
        using var repo = await Varlor.Backup.Repository.Repository.OpenAsync(backend, TestRepo.Password, None);
        var packer = new Packer(repo, uploads: 4);
        var e = await Assert.ThrowsAsync<IOException>(async () =>
        {
            await AddAsync(packer, repo, 16 * 8);
            await packer.FlushAsync(None);
        });
        Assert.Equal("No space left on device", e.Message);
        await packer.DisposeAsync();
        Assert.Empty(SpoolLeftovers(test));
        // What was stored is whole: every pack in the folder opens, and none is the failed one.
        foreach (var name in backend.Stored)
        {
            var pack = BlobId.Parse(name);
            var size = await test.Backend.SizeAsync(FileKind.Pack, name, None);
            Assert.NotEmpty(await repo.ReadPackHeaderAsync(pack, size, None));
        }
        Assert.Equal(backend.Stored.Count, Directory.GetFiles(Path.Combine(test.RepoPath, "data"), "*", SearchOption.AllDirectories).Length);
    }

    /// <summary>
    /// A local backend that watches pack stores: how many are in flight at most, which arrived; it can hold the first
    /// until another starts, and fail the n-th as a full disk would.
    /// </summary>
    private sealed class WatchedBackend(LocalBackend inner) : IStorageBackend
    {
        private readonly TaskCompletionSource _another = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _inFlight, _started, _maxInFlight;

        public bool HoldFirstUntilAnother { get; init; }
        public int FailPack { get; init; }
        public int MaxInFlight => Volatile.Read(ref _maxInFlight);
        public List<string> Stored { get; } = [];

        public async Task SaveFileAsync(FileKind kind, string name, string localPath, CancellationToken ct)
        {
            var number = Interlocked.Increment(ref _started);
            var now = Interlocked.Increment(ref _inFlight);
            try
            {
                int max;
                while (now > (max = Volatile.Read(ref _maxInFlight)) && Interlocked.CompareExchange(ref _maxInFlight, now, max) != max) { }
                if (number == FailPack)
                {
                    File.Delete(localPath);
                    throw new IOException("No space left on device");
                }
                if (number > 1) _another.TrySetResult();
                // A guard, not a measurement: with one writer the second store would never start.
                else if (HoldFirstUntilAnother) await _another.Task.WaitAsync(TimeSpan.FromSeconds(60), ct);
                await inner.SaveFileAsync(kind, name, localPath, ct);
                lock (Stored) Stored.Add(name);
            }
            finally
            {
                Interlocked.Decrement(ref _inFlight);
            }
        }

        public string Location => inner.Location;
        public string SpoolFolder => inner.SpoolFolder;
        public Task<bool> ExistsAsync(FileKind kind, string name, CancellationToken ct) => inner.ExistsAsync(kind, name, ct);
        public Task SaveAsync(FileKind kind, string name, ReadOnlyMemory<byte> content, CancellationToken ct) => inner.SaveAsync(kind, name, content, ct);
        public Task<int> CleanupTempFilesAsync(TimeSpan minAge, CancellationToken ct) => inner.CleanupTempFilesAsync(minAge, ct);
        public Task<byte[]> ReadAsync(FileKind kind, string name, CancellationToken ct) => inner.ReadAsync(kind, name, ct);
        public Task<int> ReadRangeAsync(FileKind kind, string name, long offset, Memory<byte> buffer, CancellationToken ct) => inner.ReadRangeAsync(kind, name, offset, buffer, ct);
        public Task<long> SizeAsync(FileKind kind, string name, CancellationToken ct) => inner.SizeAsync(kind, name, ct);
        public IAsyncEnumerable<(string Name, long Size)> ListAsync(FileKind kind, CancellationToken ct) => inner.ListAsync(kind, ct);
        public Task DeleteAsync(FileKind kind, string name, CancellationToken ct) => inner.DeleteAsync(kind, name, ct);
        public Task CreateAsync(CancellationToken ct) => inner.CreateAsync(ct);
    }
}
