using System.CommandLine;
using Varlor.Backup.Cli.Terminal;
using Varlor.Backup.Repository.Locks;

namespace Varlor.Backup.Cli.Commands;

public static class KeyCommand
{
    public static Command Create()
    {
        var newPasswordFile = new Option<string?>("--new-password-file") { Description = "Read the new password from this file (default: $VARLOR_NEW_PASSWORD_FILE, $VARLOR_NEW_PASSWORD_COMMAND, $VARLOR_NEW_PASSWORD, else ask)" };
        var add = new Command("add", "Add a password that opens this repository") { newPasswordFile };
        add.SetAction(async (p, ct) =>
        {
            var output = GlobalOptions.Output(p);
            using var repo = await GlobalOptions.OpenAsync(p, ct);
            var password = PasswordSource.Get(p.GetValue(newPasswordFile), "VARLOR_NEW", "--new-password-file", "enter the new password: ", confirm: true);
            await using var _ = await RepositoryLock.AcquireAsync(repo, exclusive: true, "key add", ct);
            var name = await repo.AddKeyAsync(password, ct);
            if (output.Json) output.WriteJson(new { id = name });
            else output.Line($"added key {name[..8]}");
            return 0;
        });

        var list = new Command("list", "List the keys (passwords) of this repository");
        list.SetAction(async (p, ct) =>
        {
            var output = GlobalOptions.Output(p);
            using var repo = await GlobalOptions.OpenAsync(p, ct);
            var keys = await repo.ListKeysAsync(ct);
            if (output.Json)
            {
                output.WriteJson(keys.Select(k => new { id = k.Name, current = k.Name == repo.KeyName, created = k.Key?.Created, host = k.Key?.Host, user = k.Key?.User, damaged = k.Key is null }));
                return 0;
            }
            Output.Result($" {"ID",-8}  {"User",-12}  {"Host",-16}  Created");
            foreach (var (name, key) in keys)
                Output.Result($"{(name == repo.KeyName ? "*" : " ")}{name[..8]}  {key?.User ?? "?",-12}  {key?.Host ?? "(damaged)",-16}  {(key is null ? "" : Format.Time(key.Created))}");
            return 0;
        });

        var id = new Argument<string>("ID") { Description = "Key id or unique prefix (see 'key list')" };
        var remove = new Command("remove", "Remove a key; the password it held no longer opens the repository") { id };
        remove.SetAction(async (p, ct) =>
        {
            var output = GlobalOptions.Output(p);
            using var repo = await GlobalOptions.OpenAsync(p, ct);
            var prefix = p.GetValue(id)!;
            var matches = (await repo.ListKeysAsync(ct)).Where(k => k.Name.StartsWith(prefix, StringComparison.Ordinal)).ToList();
            if (matches.Count != 1)
                throw new Repository.VarlorException(matches.Count == 0 ? $"no key matches '{prefix}'" : $"'{prefix}' matches {matches.Count} keys: give more digits");
            await using var _ = await RepositoryLock.AcquireAsync(repo, exclusive: true, "key remove", ct);
            await repo.RemoveKeyAsync(matches[0].Name, ct);
            output.Line($"removed key {matches[0].Name[..8]}");
            return 0;
        });
        return new Command("key", "Manage the passwords of the repository") { add, list, remove };
    }
}
