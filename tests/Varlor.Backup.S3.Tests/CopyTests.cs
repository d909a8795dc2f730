using System.Collections.Concurrent;
using System.Text.Json;
using Varlor.Backup.S3.Tests.Faults;
using Varlor.Backup.S3.Tests.Support;

namespace Varlor.Backup.S3.Tests;

/// <summary>copy between a local repository and an S3 one with different passwords (so different keys and blob ids).</summary>
public sealed class CopyTests(S3rverFixture s3) : IClassFixture<S3rverFixture>
{
    private static JsonElement Json(CliResult r) => JsonDocument.Parse(r.Ok().Stdout).RootElement;

    /// <summary>A local source repository with two snapshots of one tree, the second after a small change.</summary>
    private static async Task<(S3Cli Source, string Tree, Dictionary<string, string> First, Dictionary<string, string> Second)> SourceAsync(int bigMiB)
    {
        var a = new S3Cli("unused");
        a.Env["VARLOR_REPOSITORY"] = a.Dir.Sub("local-repo");
        a.Env["VARLOR_PASSWORD"] = "source password";
        var tree = a.MakeTree("src", bigMiB, seed: bigMiB);
        (await a.RunAsync("init")).Ok();
        (await a.RunAsync("backup", tree, "--tag", "daily")).Ok();
        var first = S3Cli.Describe(tree);
        File.WriteAllText(Path.Combine(tree, "etc", "conf.d", "f2.conf"), "changed for the second snapshot");
        (await a.RunAsync("backup", tree)).Ok();
        return (a, tree, first, S3Cli.Describe(tree));
    }

    private S3Cli Target(string location, S3Cli source)
    {
        var b = new S3Cli(location);
        b.Env["VARLOR_FROM_PASSWORD"] = source.Env["VARLOR_PASSWORD"];
        b.Env["VARLOR_S3_RETRIES"] = "12";
        b.Env["VARLOR_S3_RETRY_DELAY_MS"] = "20";
        return b;
    }

    [Fact]
    public async Task Copy_through_faults_restores_identically_and_copying_again_adds_nothing()
    {
        var (a, tree, first, second) = await SourceAsync(bigMiB: 18);
        using var _ = a;
        await using var proxy = new FaultProxy(s3.Port, rate: 0.10, seed: 11);
        using var b = Target($"s3:http://127.0.0.1:{proxy.Port}/{s3.Bucket}/offsite", a);
        (await b.RunAsync("init")).Ok();
        var copy = Json(await b.RunAsync("copy", "--from-repo", a.Env["VARLOR_REPOSITORY"]!, "--json"));
        Assert.Equal(2, copy.GetProperty("copied").GetArrayLength());
        Assert.True(copy.GetProperty("requests").GetInt64() > 0);
        Assert.True(proxy.Injected.Values.Sum() > 0);

        using var direct = Target(s3.Location("offsite"), a);
        var snaps = Json(await direct.RunAsync("snapshots", "--json"));
        Assert.Equal(2, snaps.GetArrayLength());
        var sourceIds = copy.GetProperty("copied").EnumerateArray().Select(c => c.GetProperty("source").GetString()).ToList();
        var targetIds = copy.GetProperty("copied").EnumerateArray().Select(c => c.GetProperty("target").GetString()!).ToList();
        Assert.Empty(sourceIds.Intersect(targetIds)); // different keys: different snapshot files
        foreach (var (id, expected) in targetIds.Zip([first, second]))
        {
            var target = direct.Dir.Sub("restore-" + id[..8]);
            (await direct.RunAsync("restore", id, "--target", target)).Ok();
            Assert.Equal(expected, S3Cli.Describe(target + tree));
        }
        Assert.True(Json(await direct.RunAsync("check", "--read-data", "--json")).GetProperty("ok").GetBoolean());

        // Again: nothing new. Then one more source snapshot: only its changed file travels.
        var again = Json(await direct.RunAsync("copy", "--from-repo", a.Env["VARLOR_REPOSITORY"]!, "--json"));
        Assert.Equal(0, again.GetProperty("copied").GetArrayLength());
        Assert.Equal(2, again.GetProperty("already_copied").GetArrayLength());
        Assert.Equal(0, again.GetProperty("blobs_added").GetInt64());
        Assert.Equal(0, again.GetProperty("blobs_read").GetInt64());
        File.WriteAllText(Path.Combine(tree, "etc", "conf.d", "f7.conf"), "third");
        (await a.RunAsync("backup", tree)).Ok();
        var third = Json(await direct.RunAsync("copy", "--from-repo", a.Env["VARLOR_REPOSITORY"]!, "--json"));
        Assert.Equal(1, third.GetProperty("copied").GetArrayLength());
        Assert.InRange(third.GetProperty("blobs_added").GetInt64(), 1, 10); // the new file's chunk and the trees from it up to /
        // Unchanged files are mapped through the previous copy's trees, not read again from the source.
        Assert.Equal(1, third.GetProperty("blobs_read").GetInt64());
        Assert.Equal(3, Json(await direct.RunAsync("snapshots", "--json")).GetArrayLength());
    }

    /// <summary>Objects the store holds under a repository's prefix, by folder (locks left out: every command makes one).</summary>
    private Dictionary<string, int> StoredObjects(string bucket, string prefix)
    {
        var root = Path.Combine(s3.DataFolder, bucket, prefix);
        return Directory.GetFiles(root, "*._S3rver_object", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Split('/')[0])
            .Where(folder => folder != "locks")
            .GroupBy(folder => folder).ToDictionary(g => g.Key, g => g.Count());
    }

    [Fact]
    public async Task S3_to_S3_between_buckets_with_other_passwords_restores_identically_and_a_second_copy_sends_nothing()
    {
        // The source: two snapshots on S3, one file large enough for several data packs (stored several at once).
        using var a = new S3Cli(s3.Location("s2s/source"));
        a.Env["VARLOR_PASSWORD"] = "onsite password";
        var tree = a.MakeTree("src", bigMiB: 40, seed: 40);
        (await a.RunAsync("init")).Ok();
        (await a.RunAsync("backup", tree, "--tag", "daily")).Ok();
        var first = S3Cli.Describe(tree);
        File.WriteAllText(Path.Combine(tree, "etc", "conf.d", "f5.conf"), "changed for the second snapshot");
        (await a.RunAsync("backup", tree)).Ok();
        var second = S3Cli.Describe(tree);

        // The target: another bucket (created by init) on the same store, another password.
        var offsite = s3.Bucket + "-offsite";
        using var b = new S3Cli($"s3:{s3.Endpoint}/{offsite}/s2s/target");
        b.Env["VARLOR_PASSWORD"] = "offsite password";
        b.Env["VARLOR_FROM_PASSWORD"] = a.Env["VARLOR_PASSWORD"];
        (await b.RunAsync("init")).Ok();
        var source = StoredObjects(s3.Bucket, "s2s/source");
        var copy = Json(await b.RunAsync("copy", "--from-repo", a.Env["VARLOR_REPOSITORY"]!, "--json"));
        Assert.Equal(2, copy.GetProperty("copied").GetArrayLength());
        Assert.True(copy.GetProperty("blobs_added").GetInt64() > 0);
        var pairs = copy.GetProperty("copied").EnumerateArray()
            .Select(c => (Source: c.GetProperty("source").GetString()!, Target: c.GetProperty("target").GetString()!)).ToList();
        Assert.All(pairs, p => Assert.NotEqual(p.Source, p.Target)); // other keys: other snapshot files
        Assert.True(StoredObjects(offsite, "s2s/target")["data"] >= 3);

        foreach (var ((_, id), expected) in pairs.Zip([first, second]))
        {
            var target = b.Dir.Sub("restore-" + id[..8]);
            (await b.RunAsync("restore", id, "--target", target)).Ok();
            Assert.Equal(expected, S3Cli.Describe(target + tree));
        }
        Assert.True(Json(await b.RunAsync("check", "--read-data", "--json")).GetProperty("ok").GetBoolean());

        // Again: nothing read, nothing added, and not one new object in the target bucket.
        var before = StoredObjects(offsite, "s2s/target");
        var again = Json(await b.RunAsync("copy", "--from-repo", a.Env["VARLOR_REPOSITORY"]!, "--json"));
        Assert.Equal(0, again.GetProperty("copied").GetArrayLength());
        Assert.Equal(2, again.GetProperty("already_copied").GetArrayLength());
        Assert.Equal(0, again.GetProperty("blobs_added").GetInt64());
        Assert.Equal(0, again.GetProperty("blobs_read").GetInt64());
        Assert.Equal(before, StoredObjects(offsite, "s2s/target"));
        // Being copied from leaves the source as it was (its locks come and go).
        Assert.Equal(source, StoredObjects(s3.Bucket, "s2s/source"));
    }

    [Fact]
    public async Task Filters_select_snapshots_and_the_offsite_copy_keeps_its_own_retention()
    {
        var (a, tree, first, _) = await SourceAsync(bigMiB: 1);
        using var _ = a;
        using var b = Target(s3.Location("filtered"), a);
        (await b.RunAsync("init")).Ok();
        var copy = Json(await b.RunAsync("copy", "--from-repo", a.Env["VARLOR_REPOSITORY"]!, "--tag", "daily", "--path", tree, "--json"));
        Assert.Equal(1, copy.GetProperty("copied").GetArrayLength());
        var none = Json(await b.RunAsync("copy", "--from-repo", a.Env["VARLOR_REPOSITORY"]!, "--host", "no-such-host", "--json"));
        Assert.Equal(0, none.GetProperty("copied").GetArrayLength());
        var future = Json(await b.RunAsync("copy", "--from-repo", a.Env["VARLOR_REPOSITORY"]!, "--since", DateTimeOffset.UtcNow.AddHours(1).ToString("O"), "--json"));
        Assert.Equal(0, future.GetProperty("copied").GetArrayLength());
        var target = b.Dir.Sub("restore");
        (await b.RunAsync("restore", "latest", "--target", target)).Ok();
        Assert.Equal(first, S3Cli.Describe(target + tree));
        // The source's own retention does not touch the copy.
        (await a.RunAsync("forget", "--keep-last", "1", "--prune")).Ok();
        Assert.Equal(1, Json(await b.RunAsync("snapshots", "--json")).GetArrayLength());
        Assert.True(Json(await b.RunAsync("check", "--read-data", "--json")).GetProperty("ok").GetBoolean());

        // And back from S3 into a third repository (local, its own password), with --until.
        using var c = new S3Cli("unused");
        c.Env["VARLOR_REPOSITORY"] = c.Dir.Sub("back-home");
        c.Env["VARLOR_FROM_PASSWORD"] = b.Env["VARLOR_PASSWORD"];
        c.Env["VARLOR_PASSWORD"] = "third password";
        (await c.RunAsync("init")).Ok();
        var back = Json(await c.RunAsync("copy", "--from-repo", b.Env["VARLOR_REPOSITORY"]!, "--until", DateTimeOffset.UtcNow.AddMinutes(5).ToString("O"), "--json"));
        Assert.Equal(1, back.GetProperty("copied").GetArrayLength());
        var home = c.Dir.Sub("restore");
        (await c.RunAsync("restore", "latest", "--target", home)).Ok();
        Assert.Equal(first, S3Cli.Describe(home + tree));
    }

    [Fact]
    public async Task An_interrupted_copy_resumes_without_sending_again_what_arrived()
    {
        var (a, tree, _, second) = await SourceAsync(bigMiB: 40); // three data packs
        using var _ = a;
        await using var proxy = new FaultProxy(s3.Port, rate: 0);
        using var b = Target($"s3:http://127.0.0.1:{proxy.Port}/{s3.Bucket}/resumed", a);
        b.Env["VARLOR_S3_RETRIES"] = "2";
        (await b.RunAsync("init")).Ok();

        var sent = new ConcurrentBag<string>();
        proxy.AfterForward = (method, path) =>
        {
            if (method != "PUT" || !path.Contains("/data/", StringComparison.Ordinal)) return;
            sent.Add(path.Split('?')[0]);
            proxy.Unreachable = true; // the network goes away after the first pack arrived
        };
        var failed = await b.RunAsync("copy", "--from-repo", a.Env["VARLOR_REPOSITORY"]!);
        Assert.Equal(1, failed.ExitCode);
        Assert.Single(failed.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var arrived = sent.ToHashSet();
        Assert.NotEmpty(arrived);

        proxy.Unreachable = false;
        var resent = new ConcurrentBag<string>();
        proxy.AfterForward = (method, path) =>
        {
            if (method == "PUT" && path.Contains("/data/", StringComparison.Ordinal)) resent.Add(path.Split('?')[0]);
        };
        (await b.RunAsync("unlock", "--remove-all")).Ok();
        var copy = Json(await b.RunAsync("copy", "--from-repo", a.Env["VARLOR_REPOSITORY"]!, "--json"));
        Assert.Equal(2, copy.GetProperty("copied").GetArrayLength());
        Assert.NotEmpty(resent);
        Assert.Empty(arrived.Intersect(resent)); // the pack that arrived was adopted, not sent again
        var target = b.Dir.Sub("restore");
        (await b.RunAsync("restore", "latest", "--target", target)).Ok();
        Assert.Equal(second, S3Cli.Describe(target + tree));
        Assert.True(Json(await b.RunAsync("check", "--read-data", "--json")).GetProperty("ok").GetBoolean());
    }
}
