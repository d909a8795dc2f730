using System.CommandLine;

namespace Varlor.Backup.Cli.Commands;

/// <summary>
/// completion bash|zsh|fish: a script that asks the program itself for candidates through System.CommandLine's
/// [suggest:POSITION] directive, so completion always matches the installed version's commands and options (no
/// dotnet-suggest needed). Install: varlor-backup completion bash > /etc/bash_completion.d/varlor-backup
/// </summary>
public static class CompletionCommand
{
    public static Command Create()
    {
        var shell = new Argument<string>("SHELL") { Description = "bash, zsh or fish" };
        shell.AcceptOnlyFromAmong("bash", "zsh", "fish");
        var cmd = new Command("completion", "Print a shell completion script: varlor-backup completion bash > /etc/bash_completion.d/varlor-backup") { shell };
        cmd.SetAction(p =>
        {
            Console.Out.Write(p.GetValue(shell) switch { "bash" => Bash, "zsh" => Zsh, _ => Fish });
            return 0;
        });
        return cmd;
    }

    // The line up to the word being completed, without the program's name, and the cursor at its end.
    private const string Bash = """
        # varlor-backup completion for bash: source it, or put it in /etc/bash_completion.d/
        _varlor_backup_complete()
        {
            local line="${COMP_WORDS[*]:1:COMP_CWORD}"
            local IFS=$'\n'
            local candidates
            candidates=$("${COMP_WORDS[0]}" "[suggest:${#line}]" "$line" 2>/dev/null)
            COMPREPLY=($(compgen -W "$candidates" -- "${COMP_WORDS[COMP_CWORD]}"))
        }
        complete -o default -F _varlor_backup_complete varlor-backup ./varlor-backup

        """;

    private const string Zsh = """
        #compdef varlor-backup
        # varlor-backup completion for zsh: put it in a folder of $fpath as _varlor-backup, or source it after compinit
        _varlor_backup_complete()
        {
            local line="${(j: :)words[2,CURRENT]}"
            local -a candidates
            candidates=("${(@f)$("${words[1]}" "[suggest:${#line}]" "$line" 2>/dev/null)}")
            compadd -a candidates
        }
        compdef _varlor_backup_complete varlor-backup

        """;

    private const string Fish = """
        # varlor-backup completion for fish: save as ~/.config/fish/completions/varlor-backup.fish
        function __varlor_backup_complete
            set -l tokens (commandline -opc) (commandline -ct)
            set -l line (string join ' ' -- $tokens[2..-1])
            $tokens[1] "[suggest:"(string length -- "$line")"]" "$line" 2>/dev/null
        end
        complete -c varlor-backup -f -a '(__varlor_backup_complete)'

        """;
}
