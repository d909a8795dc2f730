namespace Varlor.Server.Datasets;

/// <summary>
/// File and dataset names are metadata only (storage paths are built from ids), yet path-like names are
/// refused outright: they are almost always a client bug or an attack, and echoing them back is a hazard.
/// </summary>
public static class DatasetNames
{
    public const int MaxLength = 255;

    public static string? Problem(string what, string? name)
    {
        if (string.IsNullOrWhiteSpace(name)) return $"the {what} is empty";
        if (name.Length > MaxLength) return $"the {what} is longer than {MaxLength} characters";
        if (name.Contains('\0')) return $"the {what} contains a NUL character";
        if (name.Any(char.IsControl)) return $"the {what} contains a control character";
        if (name.Contains('/') || name.Contains('\\')) return $"the {what} '{name}' contains a path separator; send a bare name";
        if (name.Trim() is "." or "..") return $"the {what} '{name}' is not a name";
        if (name.Length >= 2 && char.IsAsciiLetter(name[0]) && name[1] == ':') return $"the {what} '{name}' looks like a drive path";
        return null;
    }
}
