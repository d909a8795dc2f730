using Varlor.Backup.Storage;
using Varlor.Backup.Tests.Support;

namespace Varlor.Backup.Tests.Storage;

public sealed class LocalBackendListingTests
{
    /// <summary>
    /// Six backups at once list each other's locks while they come and go: a file removed after the folder was
    /// read is left out of the listing, not an error ("Could not find file" ended a backup before).
    /// </summary>
    [Fact]
    public async Task A_file_removed_while_listing_is_left_out()
    {
        using var dir = new TempDir();
        var backend = new LocalBackend(dir.Path);
        var names = Enumerable.Range(0, 40).Select(i => i.ToString("x64", System.Globalization.CultureInfo.InvariantCulture)).ToList();
        foreach (var name in names) await backend.SaveAsync(FileKind.Lock, name, new byte[] { 1, 2, 3 }, CancellationToken.None);

        var listed = new List<string>();
        await foreach (var (name, size) in backend.ListAsync(FileKind.Lock, CancellationToken.None))
        {
            if (listed.Count == 0)
                foreach (var other in names.Where(n => n != name)) await backend.DeleteAsync(FileKind.Lock, other, CancellationToken.None);
            listed.Add(name);
            Assert.Equal(3, size);
        }

        Assert.Single(listed);
    }
}
