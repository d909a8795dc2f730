using System.Security.Cryptography;
using System.Text;

namespace Varlor.Server.Tenants;

/// <summary>
/// API keys are 32 random bytes, shown once as "vk_" + base64url. Only their SHA-256 is stored:
/// a key has 256 bits of entropy, so a slow password hash adds nothing but latency.
/// </summary>
public static class ApiKeys
{
    public const string Prefix = "vk_";

    public static string Generate() => Prefix + Base64Url(RandomNumberGenerator.GetBytes(32));

    public static byte[] Hash(string key) => SHA256.HashData(Encoding.UTF8.GetBytes(key));

    /// <summary>The first characters, stored in clear so that an operator can tell keys apart.</summary>
    public static string DisplayPrefix(string key) => key[..Math.Min(key.Length, Prefix.Length + 6)];

    public static bool FixedTimeEquals(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(Hash(presented), Hash(expected));

    private static string Base64Url(byte[] bytes) =>
        Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
