using System.Text;

namespace Varlor.Server.Datasets.Inference;

internal static class TextInput
{
    /// <summary>Strict UTF-8: invalid bytes throw instead of becoming U+FFFD. A leading UTF-8 BOM is skipped.</summary>
    public static readonly Encoding StrictUtf8 = new UTF8Encoding(encoderShouldEmitUTF8Identifier: true, throwOnInvalidBytes: true);

    public static StreamReader Open(Stream stream) =>
        new(stream, StrictUtf8, detectEncodingFromByteOrderMarks: false, bufferSize: 1 << 16, leaveOpen: true);

    public const string NotUtf8 =
        "the file is not valid UTF-8 text; save it as UTF-8 (other encodings such as Latin-1 or UTF-16 are not accepted)";

    public static void RejectNul(ReadOnlySpan<char> value, long line)
    {
        if (value.Contains('\0'))
            throw new DatasetFormatException($"line {line} contains a NUL character; binary files are not accepted");
    }
}

/// <summary>The file's content is not acceptable; the message says where and why.</summary>
public sealed class DatasetFormatException(string message) : Exception(message);
