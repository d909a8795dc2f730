using System.Security.Cryptography;

namespace Varlor.Backup.S3.Tests.Support;

public sealed record CliResult(int ExitCode, string Stdout, string Stderr)
{
    public override string ToString() => $"exit {ExitCode}\nstdout: {Stdout}\nstderr: {Stderr}";
    public CliResult Ok() => ExitCode == 0 ? this : throw new Xunit.Sdk.XunitException(ToString());
}

/// <summary>
/// Runs the real varlor-backup program (built beside the tests) as a child process, against an S3 repository:
/// VARLOR_REPOSITORY=s3:http://127.0.0.1:PORT/bucket/prefix, credentials in AWS_* variables, never arguments.
/// </summary>
public sealed class S3Cli : IDisposable
{
    private static readonly string Dll = Path.Combine(AppContext.BaseDirectory, "varlor-backup.dll");
    public TempDir Dir { get; } = new();
    public Dictionary<string, string> Env { get; } = new() { ["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1" };

    public S3Cli(string location)
    {
        Env["VARLOR_REPOSITORY"] = location;
        Env["VARLOR_PASSWORD"] = "s3 test password";
        Env["VARLOR_KDF_MEMORY_KIB"] = "8192";
        Env["AWS_ACCESS_KEY_ID"] = S3rverFixture.AccessKey;
        Env["AWS_SECRET_ACCESS_KEY"] = S3rverFixture.SecretKey;
        Env["AWS_REGION"] = "us-east-1";
        Env["VARLOR_S3_CHUNK_ENCODING"] = "false";
        Env["VARLOR_SPOOL"] = Dir.Sub("spool");
        Env["VARLOR_CACHE_DIR"] = Dir.Sub("cache");
        // No profile or credential file of the machine may leak in.
        Env["AWS_SHARED_CREDENTIALS_FILE"] = Dir.Sub("no-credentials");
        Env["AWS_CONFIG_FILE"] = Dir.Sub("no-config");
    }

    public async Task<CliResult> RunAsync(params string[] args)
    {
        var r = await Varlor.Testing.ProcessRunner.RunAsync("dotnet", [Dll, .. args], Env, timeout: TimeSpan.FromMinutes(3));
        return new CliResult(r.ExitCode, r.StandardOutput, r.StandardError);
    }

    /// <summary>Relative path to type, size and content hash.</summary>
    public static Dictionary<string, string> Describe(string root) =>
        Directory.EnumerateFileSystemEntries(root, "*", SearchOption.AllDirectories).ToDictionary(
            p => Path.GetRelativePath(root, p),
            p => Directory.Exists(p) ? "dir" : $"{new FileInfo(p).Length}:{Convert.ToHexString(SHA256.HashData(File.ReadAllBytes(p)))}");

    /// <summary>A small tree: text files, an empty file, a nested folder, and one file large enough for several packs.</summary>
    public string MakeTree(string name, int bigMiB, int seed)
    {
        var root = Dir.Sub(name);
        var rnd = new Random(seed);
        Directory.CreateDirectory(Path.Combine(root, "etc", "conf.d"));
        Directory.CreateDirectory(Path.Combine(root, "empty"));
        for (var i = 0; i < 20; i++)
            File.WriteAllText(Path.Combine(root, "etc", "conf.d", $"f{i}.conf"), $"setting{i}={rnd.Next()}\n" + new string('x', rnd.Next(0, 5000)));
        File.WriteAllBytes(Path.Combine(root, "empty.bin"), []);
        var big = new byte[bigMiB * 1024 * 1024];
        rnd.NextBytes(big);
        File.WriteAllBytes(Path.Combine(root, "big.bin"), big);
        return root;
    }

    public void Dispose() => Dir.Dispose();
}
