using System.Text.Encodings.Web;
using System.Text.Json;
using Varlor.Backup.Engines.Archiving;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Cli.Terminal;

/// <summary>
/// Where results, warnings and progress go. Results on stdout (text, or JSON with --json); warnings, errors and
/// progress on stderr, as a live bar on a terminal and as a plain line every few seconds elsewhere.
/// </summary>
public sealed class Output(bool json, bool quiet) : IEngineReporter
{
    public bool Json { get; } = json;
    public bool Quiet { get; } = quiet;
    public static bool StderrIsTerminal => !Console.IsErrorRedirected;

    public void Line(string text)
    {
        if (!Json && !Quiet) Console.Out.WriteLine(text);
    }

    /// <summary>Text output that is the command's result (printed even with --quiet).</summary>
    public static void Result(string text) => Console.Out.WriteLine(text);

    /// <summary>
    /// Output JSON: the repository's naming, indented, and escaping only what JSON requires, so that '+', '&lt;' or
    /// non-ASCII names read as written (output is never embedded in HTML, the default encoder's concern).
    /// </summary>
    public static readonly JsonSerializerOptions JsonOptions = new(RepoJson.Indented) { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public void WriteJson<T>(T value)
    {
        Console.Out.WriteLine(JsonSerializer.Serialize(value, JsonOptions));
    }

    public void Warning(string path, string message)
    {
        Console.Error.WriteLine($"warning: {path}: {message}");
    }

    public static void Error(string message) => Console.Error.WriteLine("error: " + message);
}
