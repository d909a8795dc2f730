using Varlor.Backup.Postgres.Common;


namespace Varlor.Backup.Postgres.Tests;

public sealed class BadInputTests
{
    [Fact]
    public async Task An_unreachable_server_is_one_line_with_its_exit_code()
    {
        await using var h = await DbHarness.CreateAsync("unreach");
        h.Env["PGPORT"] = "1";
        var r = await h.RunAsync("db", "dump");
        r.AssertOneLineError(DbExitCodes.Unreachable, "cannot connect to PostgreSQL at 127.0.0.1:1");
        Assert.Empty(Directory.GetFiles(Path.Combine(h.Repo, "snapshots")));
    }

    [Fact]
    public async Task Wrong_credentials_are_one_line_and_the_password_is_never_printed()
    {
        await using var h = await DbHarness.CreateAsync("creds");
        // The test cluster trusts local connections, so an unknown role stands for refused credentials.
        var r = await h.RunAsync("db", "dump", "--db", "Username=nobody_here;Password=s3cret-do-not-print");
        r.AssertOneLineError(DbExitCodes.AuthenticationFailed, "refused user nobody_here");
        Assert.DoesNotContain("s3cret", r.Stderr + r.Stdout);
    }

    [Fact]
    public async Task A_dump_killed_half_way_leaves_no_snapshot()
    {
        await using var h = await DbHarness.CreateAsync("killed");
        await h.CreateVarlorSchemaAsync(datasets: 3000);
        // pg_dump that dies (SIGKILL) after part of its output.
        var bin = await h.WrapPgDumpAsync("bin", "{pg_dump} | head -c 200000\nkill -KILL $$");
        h.Env["VARLOR_PG_BIN"] = bin;

        var r = await h.RunAsync("db", "dump");
        r.AssertOneLineError(DbExitCodes.ToolFailed, "pg_dump was killed (signal 9)");
        Assert.Empty(Directory.GetFiles(Path.Combine(h.Repo, "snapshots")));
        Assert.Empty(Directory.GetFiles(Path.Combine(h.Repo, "index")));
        h.Env.Remove("VARLOR_PG_BIN");
        (await h.RunAsync("db", "dump")).AssertSuccess();
    }

    [Fact]
    public async Task Restore_into_an_existing_database_name_changes_nothing()
    {
        await using var h = await DbHarness.CreateAsync("exists");
        await h.CreateVarlorSchemaAsync(datasets: 5);
        (await h.RunAsync("db", "dump")).AssertSuccess();
        var r = await h.RunAsync("db", "restore", "latest", "--target-db", h.Database);
        r.AssertOneLineError(1, "already exists");
        Assert.Equal(5L, await h.ScalarAsync<long>("SELECT count(*) FROM datasets"));
    }

    [Fact]
    public async Task A_pg_dump_older_than_the_server_is_refused_before_anything_is_stored()
    {
        await using var h = await DbHarness.CreateAsync("olddump");
        var bin = Path.Combine(h.Root, "oldbin");
        Directory.CreateDirectory(bin);
        var script = Path.Combine(bin, "pg_dump");
        await File.WriteAllTextAsync(script, "#!/bin/sh\necho 'pg_dump (PostgreSQL) 14.9'\n");
        File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var r = await h.RunAsync("db", "dump", "--pg-bin", bin);
        r.AssertOneLineError(DbExitCodes.ToolFailed, "pg_dump 14.9 is older than the server (PostgreSQL 15)");
        Assert.Empty(Directory.GetFiles(Path.Combine(h.Repo, "snapshots")));
    }
}
