using Varlor.Backup.Repository;
using Varlor.Backup.Storage.S3;

namespace Varlor.Backup.S3.Tests;

public sealed class S3LocationTests
{
    [Theory]
    [InlineData("s3:https://minio.lan:9000/backups/varlor/host1", "https://minio.lan:9000/", "backups", "varlor/host1")]
    [InlineData("s3:http://127.0.0.1:4568/bucket", "http://127.0.0.1:4568/", "bucket", "")]
    [InlineData("s3:s3.eu-west-1.amazonaws.com/my-bucket/prefix/", "https://s3.eu-west-1.amazonaws.com/", "my-bucket", "prefix")]
    public void Parses_endpoint_bucket_and_prefix(string text, string endpoint, string bucket, string prefix)
    {
        var l = S3Location.Parse(text);
        Assert.Equal(new Uri(endpoint), l.Endpoint);
        Assert.Equal(bucket, l.Bucket);
        Assert.Equal(prefix, l.Prefix);
        Assert.Equal(l, S3Location.Parse(l.ToString()));
    }

    [Theory]
    [InlineData("s3:https://host/", "names no bucket")]
    [InlineData("s3:https://KEY:hunter2@host/bucket", "credentials do not belong")]
    [InlineData("s3:https://host/Bad_Bucket", "not a valid bucket")]
    [InlineData("s3:https://host/bucket/../x", "'..'")]
    [InlineData("s3:https://host/bucket?region=x", "no query")]
    public void Rejects_bad_locations_with_a_clear_message(string text, string message)
    {
        var e = Assert.Throws<VarlorException>(() => S3Location.Parse(text));
        Assert.Contains(message, e.Message);
        Assert.DoesNotContain("hunter2", e.Message);
    }

    [Fact]
    public void Options_come_from_the_environment()
    {
        var env = new Dictionary<string, string>
        {
            ["AWS_REGION"] = "eu-west-3", ["VARLOR_S3_PATH_STYLE"] = "false", ["VARLOR_S3_CHUNK_ENCODING"] = "0",
            ["VARLOR_S3_STORAGE_CLASS"] = "STANDARD_IA", ["VARLOR_S3_SSE"] = "aws:kms", ["VARLOR_S3_SSE_KMS_KEY_ID"] = "k1",
        };
        var o = S3Options.FromEnvironment(k => env.GetValueOrDefault(k));
        Assert.Equal(new S3Options { Region = "eu-west-3", ForcePathStyle = false, UseChunkEncoding = false, StorageClass = "STANDARD_IA", ServerSideEncryption = "aws:kms", SseKmsKeyId = "k1" }, o);
        Assert.Throws<VarlorException>(() => S3Options.FromEnvironment(k => k == "VARLOR_S3_SSE" ? "rot13" : null));
    }
}
