using Varlor.Backup.Engines.Checking;
using Varlor.Backup.Engines.Restoring;
using Varlor.Backup.Repository;
using Varlor.Backup.Tests.Support;

namespace Varlor.Backup.Tests.Faults;

/// <summary>
/// Damage of every kind to every kind of file: check reports it, and a restore of any snapshot either writes a
/// file with exactly its original content or does not write it (and says so). Nothing is restored silently wrong.
/// </summary>
public sealed class DamageInjectionTests
{
    public enum Target { DataPack, TreePack, Index, Snapshot }
    public enum Damage { FlipByte, Truncate, Delete }

    public static TheoryData<Target, Damage> Cases()
    {
        var data = new TheoryData<Target, Damage>();
        foreach (var t in Enum.GetValues<Target>())
            foreach (var d in Enum.GetValues<Damage>())
            {
                // A deleted snapshot file cannot be told from a forgotten snapshot: no tool can report it.
                if (t == Target.Snapshot && d == Damage.Delete) continue;
                data.Add(t, d);
            }
        return data;
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Damage_is_reported_and_never_restored_silently(Target target, Damage damage)
    {
        using var test = new TestRepo();
        var source = test.Dir.Sub("source");
        var gen = new TreeGenerator((int)target * 10 + (int)damage);
        gen.Generate(source, tenants: 2, datasetsPerTenant: 3);
        gen.WriteRandom(source + "/big.bin", 2_500_000);
        var originals = Directory.GetFiles(source, "*", SearchOption.AllDirectories)
            .Where(f => new FileInfo(f).LinkTarget is null)
            .ToDictionary(f => f, File.ReadAllBytes);
        await test.BackupAsync(source);

        var victim = Pick(test, target);
        var rng = new Random(victim.GetHashCode());
        switch (damage)
        {
            case Damage.FlipByte:
                var bytes = File.ReadAllBytes(victim);
                bytes[rng.Next(bytes.Length)] ^= (byte)(1 << rng.Next(8));
                File.WriteAllBytes(victim, bytes);
                break;
            case Damage.Truncate:
                using (var fs = new FileStream(victim, FileMode.Open)) fs.SetLength(fs.Length * 2 / 3);
                break;
            case Damage.Delete:
                File.Delete(victim);
                break;
        }

        CheckReport report;
        using (var repo = await test.OpenAsync())
            report = await new Checker(repo).RunAsync(new CheckOptions { ReadData = true }, CancellationToken.None);
        Assert.False(report.Ok, $"{target}/{damage} of {Path.GetFileName(victim)} went unnoticed");
        if (target is Target.DataPack or Target.TreePack)
            Assert.Contains(Path.GetFileName(victim), report.DamagedPacks);
        else if (damage == Damage.Delete)
            Assert.Contains(report.Errors, e => e.Contains("not in the index", StringComparison.Ordinal)); // the index's name is gone with it
        else
            Assert.Contains(report.Errors, e => e.Contains(Path.GetFileName(victim)[..8], StringComparison.Ordinal));

        // Restore whatever snapshots still load; every file written must be byte-identical to its original.
        using var r = await test.OpenAsync();
        var snapshots = await r.LoadSnapshotsAsync(CancellationToken.None, problems: []);
        foreach (var snapshot in snapshots)
        {
            var restoreTarget = test.Dir.Sub("restore-" + snapshot.Id.Short);
            RestoreResult? result = null;
            try
            {
                result = await new Restorer(r).RunAsync(snapshot, new RestoreOptions { Target = restoreTarget }, CancellationToken.None);
            }
            catch (CorruptDataException)
            {
                // A damaged tree above everything: nothing restored, loudly.
            }
            var written = Directory.Exists(restoreTarget + source)
                ? Directory.GetFiles(restoreTarget + source, "*", SearchOption.AllDirectories).Where(f => new FileInfo(f).LinkTarget is null).ToList()
                : [];
            foreach (var file in written)
                Assert.Equal(originals[source + file[(restoreTarget + source).Length..]], File.ReadAllBytes(file));
            if (result is not null && written.Count < originals.Count)
                Assert.NotEmpty(result.Errors); // what was left out was said
            Assert.Empty(Directory.GetFiles(restoreTarget, ".varlor-restore-*", SearchOption.AllDirectories));
        }
    }

    private static string Pick(TestRepo test, Target target)
    {
        string[] Files(string dir) => Directory.GetFiles(Path.Combine(test.RepoPath, dir), "*", SearchOption.AllDirectories);
        return target switch
        {
            // The largest pack holds data; the smallest holds the trees (data and trees are packed apart).
            Target.DataPack => Files("data").OrderByDescending(f => new FileInfo(f).Length).First(),
            Target.TreePack => Files("data").OrderBy(f => new FileInfo(f).Length).First(),
            Target.Index => Files("index").Single(),
            _ => Files("snapshots").Single(),
        };
    }
}
