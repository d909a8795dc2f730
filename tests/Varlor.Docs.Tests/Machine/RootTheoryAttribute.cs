using Varlor.Testing;

namespace Varlor.Docs.Tests.Machine;

/// <summary>A theory that needs root (mount and network namespaces); skipped, saying so, for other users.</summary>
public sealed class RootTheoryAttribute : TheoryAttribute
{
    public RootTheoryAttribute()
    {
        // A docs page that ran the suite would start hosts inside hosts: the host marks its environment.
        if (Environment.GetEnvironmentVariable("VARLOR_DOCS_HOST") is not null) Skip = "inside a docs host";
        else if (!OsUser.IsRoot) Skip = "the docs' commands run on a throw-away host in Linux namespaces, which needs root (CI runs as root): sudo ./run-tests";
    }
}
