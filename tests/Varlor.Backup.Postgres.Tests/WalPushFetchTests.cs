using System.Text.Json;
using Varlor.Testing;

namespace Varlor.Backup.Postgres.Tests;

/// <summary>
/// archive_command / restore_command semantics on WAL-shaped files (16 MiB, PostgreSQL's names and archive_status
/// folder), without a server: what PostgreSQL relies on is the exit status and what ends up stored.
/// </summary>
public sealed class WalPushFetchTests : IAsyncLifetime
{
    private const int Segment = 16 * 1024 * 1024;
    private readonly string _root = Path.Combine(Path.GetTempPath(), "varlor-walpf-" + Guid.NewGuid().ToString("N")[..8]);
    private string PgWal => Path.Combine(_root, "pg_wal");
    private readonly Dictionary<string, string> _env = new()
    {
        ["VARLOR_PASSWORD"] = "push fetch password", ["VARLOR_KDF_MEMORY_KIB"] = "8192", ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1",
    };

    public async Task InitializeAsync()
    {
        Directory.CreateDirectory(Path.Combine(PgWal, "archive_status"));
        _env["VARLOR_REPOSITORY"] = Path.Combine(_root, "repo");
        _env["VARLOR_WAL_SPOOL"] = Path.Combine(_root, "spool");
        (await RunAsync("init")).AssertSuccess();
    }

    public Task DisposeAsync()
    {
        Directory.Delete(_root, recursive: true);
        return Task.CompletedTask;
    }

    private async Task<CliResult> RunAsync(params string[] args)
    {
        var r = await ProcessRunner.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "varlor-backup.dll"), .. args], _env, timeout: TimeSpan.FromMinutes(2));
        return new CliResult(r.ExitCode, r.StandardOutput, r.StandardError);
    }

    /// <summary>A segment as PostgreSQL leaves it: compressible records, then the tail of a recycled segment.</summary>
    private async Task<(string Path, byte[] Content)> WriteSegmentAsync(string name, int seed, bool ready = false)
    {
        var content = new byte[Segment];
        var rng = new Random(seed);
        for (var i = 0; i < content.Length; i += 8192)
        {
            var text = System.Text.Encoding.ASCII.GetBytes($"INSERT {seed}:{i} {new string((char)('a' + rng.Next(26)), 64)} ");
            for (var j = 0; j < 8192; j++) content[i + j] = j < 7168 ? text[j % text.Length] : (byte)rng.Next(256);
        }
        var path = Path.Combine(PgWal, name);
        await File.WriteAllBytesAsync(path, content);
        if (ready) await File.WriteAllTextAsync(Path.Combine(PgWal, "archive_status", name + ".ready"), "");
        return (path, content);
    }

    [Fact]
    public async Task A_pushed_segment_is_stored_once_an_identical_push_succeeds_and_a_different_one_fails_without_overwriting()
    {
        var (path, original) = await WriteSegmentAsync("000000010000000000000003", 1);
        (await RunAsync("wal", "push", path, "--batch", "1")).AssertSuccess();
        var stored = Directory.GetFiles(Path.Combine(_env["VARLOR_REPOSITORY"], "wal"));
        Assert.Equal("000000010000000000000003", Path.GetFileName(Assert.Single(stored)));
        Assert.True(new FileInfo(stored[0]).Length < Segment / 2, "stored compressed and sealed");

        var again = await RunAsync("wal", "push", path, "--batch", "1", "--json");
        again.AssertSuccess();
        Assert.Equal("alreadyarchived", JsonDocument.Parse(again.Stdout).RootElement.GetProperty("outcome").GetString());

        var changed = (byte[])original.Clone();
        changed[12345] ^= 1;
        await File.WriteAllBytesAsync(path, changed);
        (await RunAsync("wal", "push", path, "--batch", "1")).AssertOneLineError(24, "already archived with different content");

        var fetched = Path.Combine(_root, "RECOVERYXLOG");
        (await RunAsync("wal", "fetch", "000000010000000000000003", fetched)).AssertSuccess();
        Assert.Equal(original, await File.ReadAllBytesAsync(fetched));
    }

    [Fact]
    public async Task A_fetch_of_what_is_not_archived_fails_with_exit_25_and_writes_nothing()
    {
        var dest = Path.Combine(_root, "RECOVERYXLOG");
        var r = await RunAsync("wal", "fetch", "00000002.history", dest);
        Assert.Equal(25, r.ExitCode);
        Assert.False(File.Exists(dest));
        // Answered from the listing: PostgreSQL's probes do not pay a key derivation (no password needed for "absent").
        var probe = await ProcessRunner.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "varlor-backup.dll"), "wal", "fetch", "00000003.history", dest],
            new Dictionary<string, string>(_env) { ["VARLOR_PASSWORD"] = "wrong" });
        Assert.Equal(25, probe.ExitCode);
        // ... but a wrong repository is an error, never "not archived" (that would end a recovery early).
        var wrongRepo = await RunAsync("wal", "fetch", "000000010000000000000001", dest, "--repo", Path.Combine(_root, "nowhere"));
        wrongRepo.AssertOneLineError(10, "no repository at");
        (await RunAsync("wal", "fetch", "../../etc/passwd", dest)).AssertOneLineError(1, "not a WAL file name");
        (await RunAsync("wal", "push", Path.Combine(_root, "notwal.txt"))).AssertOneLineError(1, "not a WAL file name");
    }

    [Fact]
    public async Task One_push_archives_the_other_ready_segments_and_their_own_calls_then_only_compare_with_the_acknowledgement()
    {
        var names = Enumerable.Range(4, 4).Select(i => $"0000000100000000000000{i:X2}").ToList();
        var files = new List<(string Path, byte[] Content)>();
        for (var i = 0; i < names.Count; i++) files.Add(await WriteSegmentAsync(names[i], 10 + i, ready: true));

        var first = await RunAsync("wal", "push", files[0].Path, "--json");
        first.AssertSuccess();
        var ahead = JsonDocument.Parse(first.Stdout).RootElement.GetProperty("ahead").EnumerateArray().Select(e => e.GetString()).ToList();
        Assert.Equal(names.Skip(1), ahead);
        Assert.Equal(4, Directory.GetFiles(Path.Combine(_env["VARLOR_REPOSITORY"], "wal")).Length);

        // PostgreSQL's own call for the second: answered from the acknowledgement, without the password.
        var withoutPassword = new Dictionary<string, string>(_env) { ["VARLOR_PASSWORD"] = "wrong" };
        var second = await ProcessRunner.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "varlor-backup.dll"), "wal", "push", files[1].Path, "--json"], withoutPassword);
        Assert.True(second.ExitCode == 0, second.Output);
        Assert.True(JsonDocument.Parse(second.StandardOutput).RootElement.GetProperty("acknowledged").GetBoolean());

        // A file that changed after it was archived ahead is not taken on trust: the archive's copy decides.
        await File.WriteAllBytesAsync(files[2].Path, files[3].Content);
        (await RunAsync("wal", "push", files[2].Path)).AssertOneLineError(24, "different content");

        // Fetch reads ahead: the next segments come from the spool, the stored bytes exactly.
        var dest = Path.Combine(_root, "RECOVERYXLOG");
        (await RunAsync("wal", "fetch", names[0], dest)).AssertSuccess();
        Assert.Equal(files[0].Content, await File.ReadAllBytesAsync(dest));
        var fromSpool = await ProcessRunner.RunAsync("dotnet", [Path.Combine(AppContext.BaseDirectory, "varlor-backup.dll"), "wal", "fetch", names[1], dest], withoutPassword);
        Assert.True(fromSpool.ExitCode == 0, fromSpool.Output);
        Assert.Equal(files[1].Content, await File.ReadAllBytesAsync(dest));
    }

    [Fact]
    public async Task Status_reports_the_gap_between_archived_segments_and_check_warns_of_it()
    {
        foreach (var i in new[] { 1, 2, 4, 5 })
        {
            var (path, _) = await WriteSegmentAsync($"0000000100000000000000{i:X2}", i);
            (await RunAsync("wal", "push", path, "--batch", "1")).AssertSuccess();
        }
        var status = await RunAsync("wal", "status");
        Assert.Equal(1, status.ExitCode);
        Assert.Contains("timeline 1: 4 segments", status.Stdout);
        Assert.Contains("GAP: 1 segment missing, 000000010000000000000003", status.Stdout);
        Assert.Contains("recoverable: nothing (no base backup on this timeline)", status.Stdout);
        Assert.Equal("error: nothing is recoverable: no base backup to start from (run 'varlor-backup db basebackup')\n", status.Stderr);

        var json = await RunAsync("wal", "status", "--json");
        var gap = JsonDocument.Parse(json.Stdout).RootElement.GetProperty("timelines")[0].GetProperty("gaps")[0];
        Assert.Equal("000000010000000000000003", gap.GetProperty("from").GetString());

        var check = await RunAsync("check", "--read-data");
        check.AssertSuccess();
        Assert.Contains("timeline 1 has a gap of 1 segment at 000000010000000000000003", check.Stderr);

        // A damaged archived segment is found by check --read-data and refused by fetch.
        var stored = Path.Combine(_env["VARLOR_REPOSITORY"], "wal", "000000010000000000000002");
        var bytes = await File.ReadAllBytesAsync(stored);
        bytes[bytes.Length / 2] ^= 0x40;
        File.SetUnixFileMode(stored, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        await File.WriteAllBytesAsync(stored, bytes);
        var damaged = await RunAsync("check", "--read-data");
        Assert.Equal(1, damaged.ExitCode);
        Assert.Contains("wal 000000010000000000000002: authentication failed", damaged.Stderr);
        (await RunAsync("wal", "fetch", "000000010000000000000002", Path.Combine(_root, "X"), "--read-ahead", "0")).AssertOneLineError(1, "authentication failed");
        Assert.False(File.Exists(Path.Combine(_root, "X")));
    }
}
