using Varlor.Docs.Tests.Machine;

namespace Varlor.Docs.Tests;

// Every command block of these pages is run, in order, as printed, on a throw-away host (Machine/machine.sh);
// a block fails its test when it exits non-zero. The hosts run one after the other: each uses both cores.

[Collection("docs hosts")]
public sealed class ReadmeCommandTests(ReadmeHost host) : IClassFixture<ReadmeHost>
{
    public static TheoryData<int, string> Blocks => PageHost.CommandBlocks("README.md");

    [RootTheory, MemberData(nameof(Blocks))]
    public Task Block_runs_as_printed(int line, string heading) => host.AssertBlockRunsAsync(line, heading);
}

[Collection("docs hosts")]
public sealed class OperatorsGuideCommandTests(OperatorsGuideHost host) : IClassFixture<OperatorsGuideHost>
{
    public static TheoryData<int, string> Blocks => PageHost.CommandBlocks("docs/operators-guide.md");

    [RootTheory, MemberData(nameof(Blocks))]
    public Task Block_runs_as_printed(int line, string heading) => host.AssertBlockRunsAsync(line, heading);
}

[Collection("docs hosts")]
public sealed class ServerDocCommandTests(ServerDocHost host) : IClassFixture<ServerDocHost>
{
    public static TheoryData<int, string> Blocks => PageHost.CommandBlocks("docs/server.md");

    [RootTheory, MemberData(nameof(Blocks))]
    public Task Block_runs_as_printed(int line, string heading) => host.AssertBlockRunsAsync(line, heading);
}
