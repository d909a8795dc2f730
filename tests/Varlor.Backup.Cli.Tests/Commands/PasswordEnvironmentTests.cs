using Varlor.Backup.Cli.Tests.Support;

namespace Varlor.Backup.Cli.Tests.Commands;

/// <summary>
/// Passwords as cron and systemd give them: VARLOR_PASSWORD_FILE, VARLOR_PASSWORD_COMMAND (and the VARLOR_FROM_ and
/// VARLOR_NEW_ forms), in the documented order. (The guide's env-file lines run as printed, under dash with cron's
/// environment, in tests/Varlor.Docs.Tests.)
/// </summary>
public sealed class PasswordEnvironmentTests
{
    private static async Task<CliHarness> InitializedAsync()
    {
        var cli = new CliHarness();
        CliAssert.Success(await cli.RunAsync("init"));
        File.WriteAllText(cli.Path_("right"), cli.Env["VARLOR_PASSWORD"] + "\nsecond line is ignored\n");
        File.WriteAllText(cli.Path_("wrong"), "not the password\n");
        return cli;
    }

    [Fact]
    public async Task Password_file_variable_opens_the_repository_and_beats_the_password_variable()
    {
        using var cli = await InitializedAsync();
        cli.Env["VARLOR_PASSWORD"] = "wrong";
        cli.Env["VARLOR_PASSWORD_FILE"] = cli.Path_("right");
        CliAssert.Success(await cli.RunAsync("snapshots"));
    }

    [Fact]
    public async Task Password_file_option_beats_the_file_variable_which_beats_the_command()
    {
        using var cli = await InitializedAsync();
        cli.Env["VARLOR_PASSWORD"] = null;
        cli.Env["VARLOR_PASSWORD_FILE"] = cli.Path_("wrong");
        CliAssert.Success(await cli.RunAsync("snapshots", "--password-file", cli.Path_("right")));
        CliAssert.OneLineError(await cli.RunAsync("snapshots"), 12, "wrong password");
        cli.Env["VARLOR_PASSWORD_COMMAND"] = $"cat '{cli.Path_("right")}'";
        CliAssert.OneLineError(await cli.RunAsync("snapshots"), 12, "wrong password");
    }

    [Fact]
    public async Task Password_command_gives_the_first_line_of_its_output_and_its_stderr_passes_through()
    {
        using var cli = await InitializedAsync();
        cli.Env["VARLOR_PASSWORD"] = "wrong";
        cli.Env["VARLOR_PASSWORD_COMMAND"] = $"echo 'asking the vault' >&2; cat '{cli.Path_("right")}' | head -n 2";
        var r = await cli.RunAsync("snapshots");
        CliAssert.Success(r);
        Assert.Contains("asking the vault", r.Stderr);
    }

    [Fact]
    public async Task A_failing_password_command_is_one_line_that_names_the_variable_not_the_command()
    {
        using var cli = await InitializedAsync();
        cli.Env["VARLOR_PASSWORD"] = null;
        cli.Env["VARLOR_PASSWORD_COMMAND"] = "exit 7 # vault-token-xyz";
        var r = await cli.RunAsync("snapshots");
        CliAssert.OneLineError(r, 1, "VARLOR_PASSWORD_COMMAND failed (exit code 7)");
        Assert.DoesNotContain("vault-token-xyz", r.Stderr);
        cli.Env["VARLOR_PASSWORD_COMMAND"] = "true";
        CliAssert.OneLineError(await cli.RunAsync("snapshots"), 1, "VARLOR_PASSWORD_COMMAND printed no password");
    }

    [Fact]
    public async Task Copy_source_and_new_key_passwords_come_from_their_own_variables()
    {
        using var source = await InitializedAsync();
        using var target = new CliHarness();
        target.Env["VARLOR_PASSWORD"] = "target password";
        CliAssert.Success(await target.RunAsync("init"));
        target.Env["VARLOR_FROM_PASSWORD_FILE"] = source.Path_("right");
        CliAssert.Success(await target.RunAsync("copy", "--from-repo", source.Repo));

        target.Env["VARLOR_NEW_PASSWORD_COMMAND"] = "echo third key";
        CliAssert.Success(await target.RunAsync("key", "add"));
        target.Env["VARLOR_PASSWORD"] = "third key";
        CliAssert.Success(await target.RunAsync("snapshots"));
    }
}
