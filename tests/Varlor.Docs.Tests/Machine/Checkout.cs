namespace Varlor.Docs.Tests.Machine;

/// <summary>The checkout these tests were built from: the folder above the test binaries that holds Varlor.slnx.</summary>
public static class Checkout
{
    public static string Root { get; } = Find();

    private static string Find()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "Varlor.slnx"))) return dir.FullName;
        throw new InvalidOperationException("Varlor.slnx not found above " + AppContext.BaseDirectory);
    }
}
