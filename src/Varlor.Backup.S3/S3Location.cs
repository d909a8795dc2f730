using Varlor.Backup.Repository;

namespace Varlor.Backup.Storage.S3;

/// <summary>
/// Where an S3 repository lives: <c>s3:https://host[:port]/bucket[/prefix]</c> (or <c>http://</c>; without a scheme,
/// <c>s3:host/bucket/prefix</c> means https). Credentials never belong here: they come from the environment, the AWS
/// credential files or profiles.
/// </summary>
public sealed record S3Location(Uri Endpoint, string Bucket, string Prefix)
{
    public const string Scheme = "s3:";

    public static bool IsS3(string location) => location.StartsWith(Scheme, StringComparison.Ordinal);

    public static S3Location Parse(string location)
    {
        if (!IsS3(location)) throw new VarlorException($"'{location}' is not an S3 location (s3:https://host/bucket/prefix)");
        var rest = location[Scheme.Length..];
        if (rest.Split('/').Any(s => s is "." or ".."))
            throw new VarlorException($"'{location}': the bucket and prefix may not contain '.' or '..'");
        if (!rest.StartsWith("http://", StringComparison.OrdinalIgnoreCase) && !rest.StartsWith("https://", StringComparison.OrdinalIgnoreCase))
            rest = "https://" + rest;
        var authority = rest[(rest.IndexOf("//", StringComparison.Ordinal) + 2)..].Split('/')[0];
        if (authority.Contains('@'))
            throw new VarlorException("credentials do not belong in the repository location: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, AWS_PROFILE or AWS_SHARED_CREDENTIALS_FILE");
        if (!Uri.TryCreate(rest, UriKind.Absolute, out var uri) || string.IsNullOrEmpty(uri.Host))
            throw new VarlorException($"'{location}' is not a valid S3 location: use s3:https://host[:port]/bucket[/prefix]");
        if (!string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.Fragment))
            throw new VarlorException($"'{location}': an S3 location takes no query or fragment; options are set with VARLOR_S3_* variables");
        var segments = Uri.UnescapeDataString(uri.AbsolutePath).Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (segments.Length == 0) throw new VarlorException($"'{location}' names no bucket: use s3:https://host[:port]/bucket[/prefix]");
        var bucket = segments[0];
        if (bucket.Length is < 3 or > 63 || !bucket.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '-' or '.'))
            throw new VarlorException($"'{bucket}' is not a valid bucket name (3 to 63 lowercase letters, digits, '-' or '.')");
        var endpoint = new Uri($"{uri.Scheme}://{uri.Authority}");
        return new S3Location(endpoint, bucket, string.Join('/', segments.Skip(1)));
    }

    /// <summary>The object key of a name under the prefix ("" or "a/b/" + relative).</summary>
    public string Key(string relative) => Prefix.Length == 0 ? relative : Prefix + "/" + relative;

    public override string ToString() =>
        $"{Scheme}{Endpoint.Scheme}://{Endpoint.Authority}/{Bucket}" + (Prefix.Length == 0 ? "" : "/" + Prefix);
}
