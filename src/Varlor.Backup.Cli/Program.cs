using System.CommandLine;
using Varlor.Backup.Cli.Commands;
using Varlor.Backup.Cli.Terminal;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Cli;

public static class Program
{
    public static async Task<int> Main(string[] args)
    {
        var root = new RootCommand("varlor-backup: deduplicated, compressed, encrypted backups of Varlor's database, dataset files and logs")
        {
            InitCommand.Create(), BackupCommand.Create(), SnapshotsCommand.Create(), LsCommand.Create(), RestoreCommand.Create(),
            ForgetCommand.Create(),
            DbCommand.Create(), WalCommand.Create(),
            DiffCommand.Create(), StatsCommand.Create(), CheckCommand.Create(), PruneCommand.Create(), RepairCommand.Create(), KeyCommand.Create(), UnlockCommand.Create(),
            CopyCommand.Create(), CompletionCommand.Create(),
        };
        root.Subcommands.Add(HelpCommand.Create(root));
        GlobalOptions.AddTo(root);
        var parsed = root.Parse(args);
        // [suggest:N] "line" (the completion scripts) parses a partial line: its errors are not the user's.
        if (parsed.Errors.Count > 0 && !(args.Length > 0 && args[0].StartsWith("[suggest", StringComparison.Ordinal)))
        {
            // One line, as every error: System.CommandLine lists allowed values on lines of their own.
            Output.Error(string.Join(' ', parsed.Errors[0].Message.Split('\n', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)) + " (see --help)");
            return ExitCodes.Failure;
        }
        try
        {
            return await parsed.InvokeAsync(new InvocationConfiguration { EnableDefaultExceptionHandler = false });
        }
        catch (VarlorException e)
        {
            Output.Error(e.Message);
            return e.ExitCode;
        }
        catch (OperationCanceledException)
        {
            Output.Error("interrupted; the repository is unchanged except for packs the next backup will reuse");
            return ExitCodes.Interrupted;
        }
        catch (IOException e) when (IsDiskFull(e))
        {
            Output.Error($"no space left on device ({e.Message.TrimEnd('.')}); nothing already stored was changed: free space and run the command again");
            return ExitCodes.Failure;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Output.Error(e.Message);
            return ExitCodes.Failure;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("VARLOR_DEBUG") is null)
        {
            Output.Error($"unexpected {e.GetType().Name}: {e.Message} (set VARLOR_DEBUG=1 for details)");
            return ExitCodes.Failure;
        }
    }

    private static bool IsDiskFull(IOException e) =>
        e.HResult == 28 || e.Message.Contains("disk was full", StringComparison.OrdinalIgnoreCase) ||
        e.Message.Contains("No space left", StringComparison.OrdinalIgnoreCase);
}
