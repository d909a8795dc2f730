namespace Varlor.Backup.Cli.Tests.Support;

/// <summary>The checkout the tests were built from (its launchers, install script and docs).</summary>
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
