using Varlor.Server.Cli;

namespace Varlor.Server;

public static class Program
{
    public static Task<int> Main(string[] args) =>
        CommandLine.RunAsync(args, Console.Out, Console.Error, environment: null, CancellationToken.None);
}
