using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using Varlor.Backup.Repository.Crypto;

namespace Varlor.Backup.Repository.Keys;

/// <summary>
/// A password's key file (plaintext JSON in keys/): the KDF parameters and the master key sealed with the key
/// derived from the password. Several key files open the same repository.
/// </summary>
public sealed record KeyFile(
    [property: JsonPropertyName("version")] int Version,
    [property: JsonPropertyName("created")] DateTimeOffset Created,
    [property: JsonPropertyName("host")] string Host,
    [property: JsonPropertyName("user")] string User,
    [property: JsonPropertyName("kdf")] KdfParameters Kdf,
    [property: JsonPropertyName("data")] byte[] Data)
{
    private static readonly byte[] Aad = "varlor:key"u8.ToArray();

    public static KeyFile Create(MasterKey master, string password)
    {
        var kdf = KdfParameters.CreateDefault();
        var wrapping = kdf.DeriveKey(Encoding.UTF8.GetBytes(password));
        using var aead = new Aead(wrapping);
        var sealedKey = aead.Seal(JsonSerializer.SerializeToUtf8Bytes(master, RepoJson.Options), Aad);
        return new KeyFile(1, DateTimeOffset.UtcNow, Environment.MachineName, Environment.UserName, kdf, sealedKey);
    }

    /// <summary>Returns the master key, or null when the password does not open this key file.</summary>
    public MasterKey? TryOpen(string password)
    {
        var wrapping = Kdf.DeriveKey(Encoding.UTF8.GetBytes(password));
        using var aead = new Aead(wrapping);
        try
        {
            var plain = aead.Open(Data, Aad, "key");
            return JsonSerializer.Deserialize<MasterKey>(plain, RepoJson.Options);
        }
        catch (CorruptDataException)
        {
            return null;
        }
    }
}
