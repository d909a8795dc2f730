using System.Text.Json.Serialization;
using NSec.Cryptography;

namespace Varlor.Backup.Repository.Keys;

/// <summary>Argon2id parameters, stored in each key file so that they can be raised later without breaking old keys.</summary>
public sealed record KdfParameters(
    [property: JsonPropertyName("algorithm")] string Algorithm,
    [property: JsonPropertyName("memory_kib")] int MemoryKiB,
    [property: JsonPropertyName("iterations")] int Iterations,
    [property: JsonPropertyName("parallelism")] int Parallelism,
    [property: JsonPropertyName("salt")] byte[] Salt)
{
    public const string Argon2id = "argon2id";

    /// <summary>
    /// 32 MiB and 3 passes: above OWASP's Argon2id minimum (19 MiB, 2 passes), the same memory as restic's scrypt
    /// (N=2^15, r=8), about 50 ms with libsodium here. Every command pays it once at start (and its memory adds
    /// to the peak), so more costs each no-change backup. VARLOR_KDF_MEMORY_KIB changes it for new keys
    /// (test suites lower it; the stored parameters always win when opening).
    /// </summary>
    public static KdfParameters CreateDefault()
    {
        var memory = int.TryParse(Environment.GetEnvironmentVariable("VARLOR_KDF_MEMORY_KIB"), out var m) && m >= 8192 ? m : 32768;
        return new(Argon2id, memory, 3, 1, System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
    }

    /// <summary>Derives the 32-byte key-wrapping key from a password.</summary>
    public byte[] DeriveKey(ReadOnlySpan<byte> password)
    {
        if (Algorithm != Argon2id || Parallelism != 1 || Salt.Length != 16 || MemoryKiB < 8192 || Iterations < 1)
            throw new VarlorException($"unsupported key derivation parameters ({Algorithm}, p={Parallelism}, salt {Salt.Length} bytes)");
        var algorithm = PasswordBasedKeyDerivationAlgorithm.Argon2id(new Argon2Parameters
        {
            DegreeOfParallelism = Parallelism,
            MemorySize = MemoryKiB,
            NumberOfPasses = Iterations,
        });
        return algorithm.DeriveBytes(password, Salt, 32);
    }
}
