namespace Varlor.Backup.Postgres.Dumps;

/// <summary>
/// Builds a pg_restore -L list for a set of tables from the dump's own table of contents (pg_restore -l) and the
/// objects the manifest recorded for each table: the table, its data, owned sequences with their values, column
/// defaults, primary/unique keys, indexes, triggers, foreign keys, comments and grants. pg_restore -t alone keeps
/// only the table and its data. Foreign keys to tables outside the set are kept only when restoring in place
/// (where the referenced table exists); otherwise they are listed as skipped.
/// </summary>
public static class TocFilter
{
    public sealed record Plan(List<string> Selected, List<string> Skipped, List<string> ListFile);

    public static Plan Build(string tocText, DumpManifest manifest, IReadOnlyList<TableInfo> tables, bool inPlace)
    {
        var wanted = new HashSet<string>(StringComparer.Ordinal);
        var skippedKeys = new HashSet<string>(StringComparer.Ordinal);
        var set = tables.Select(t => t.QualifiedName).ToHashSet();
        foreach (var t in tables)
        {
            var s = t.Schema;
            wanted.Add($"TABLE {s} {t.Name}");
            wanted.Add($"TABLE DATA {s} {t.Name}");
            wanted.Add($"COMMENT {s} TABLE {t.Name}");
            wanted.Add($"ACL {s} TABLE {t.Name}");
            foreach (var q in t.Sequences)
            {
                wanted.Add($"SEQUENCE {s} {q}");
                wanted.Add($"SEQUENCE OWNED BY {s} {q}");
                wanted.Add($"SEQUENCE SET {s} {q}");
                wanted.Add($"ACL {s} SEQUENCE {q}");
            }
            foreach (var d in t.Defaults) wanted.Add($"DEFAULT {s} {t.Name} {d}");
            foreach (var i in t.Indexes) wanted.Add($"INDEX {s} {i}");
            foreach (var g in t.Triggers) wanted.Add($"TRIGGER {s} {t.Name} {g}");
            foreach (var c in t.Constraints)
            {
                if (c.Type != "foreign_key") { wanted.Add($"CONSTRAINT {s} {t.Name} {c.Name}"); continue; }
                var key = $"FK CONSTRAINT {s} {t.Name} {c.Name}";
                if (inPlace || set.Contains($"{c.ReferencesSchema}.{c.ReferencesTable}")) wanted.Add(key);
                else skippedKeys.Add(key);
            }
        }
        _ = manifest;
        var selected = new List<string>();
        var skipped = new List<string>();
        var list = new List<string>();
        foreach (var line in tocText.Split('\n'))
        {
            var entry = line.TrimEnd('\r');
            if (entry.Length == 0 || entry.StartsWith(';')) continue;
            var key = Key(entry);
            if (key is null) continue;
            if (wanted.Contains(key)) { list.Add(entry); selected.Add(key); }
            else if (skippedKeys.Contains(key)) skipped.Add(key + " (references a table not restored)");
        }
        return new Plan(selected, skipped, list);
    }

    /// <summary>"DESC schema tag" of a line "id; oid oid DESC schema tag owner" (the owner is the last word).</summary>
    internal static string? Key(string entry)
    {
        var semi = entry.IndexOf("; ", StringComparison.Ordinal);
        if (semi < 0) return null;
        var rest = entry[(semi + 2)..];
        for (var i = 0; i < 2; i++)
        {
            var sp = rest.IndexOf(' ', StringComparison.Ordinal);
            if (sp < 0) return null;
            rest = rest[(sp + 1)..];
        }
        var last = rest.LastIndexOf(' ');
        return last < 0 ? rest : rest[..last];
    }
}
