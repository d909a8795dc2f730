using Varlor.Backup.Engines.Retention;

namespace Varlor.Backup.Tests.Engines.Retention;

public sealed class RetentionDurationTests
{
    [Theory]
    [InlineData("1y6m3d12h", 1, 6, 3, 12)]
    [InlineData("90d", 0, 0, 90, 0)]
    [InlineData("36h", 0, 0, 0, 36)]
    [InlineData(" 2y ", 2, 0, 0, 0)]
    [InlineData("3d1y", 1, 0, 3, 0)]   // any order, as restic
    [InlineData("1d2d", 0, 0, 2, 0)]   // a repeated unit takes the last value, as restic
    public void Parses_restic_syntax(string text, int y, int m, int d, int h) =>
        Assert.Equal(new RetentionDuration(y, m, d, h), RetentionDuration.Parse(text));

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("5x")]
    [InlineData("d")]
    [InlineData("1.5d")]
    [InlineData("-1d")]
    [InlineData("99999999999d")]
    public void Refuses_malformed_or_negative_durations(string text) =>
        Assert.Throws<RetentionPolicyException>(() => RetentionDuration.Parse(text));

    [Fact]
    public void Prints_in_restic_syntax() => Assert.Equal("1y6m3d12h", RetentionDuration.Parse("12h3d6m1y").ToString());
}
