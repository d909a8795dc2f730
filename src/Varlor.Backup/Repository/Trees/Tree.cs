namespace Varlor.Backup.Repository.Trees;

/// <summary>A directory's entries sorted by ordinal name; stored as a JSON tree blob and deduplicated like data.</summary>
public sealed record Tree(List<Node> Nodes)
{
    /// <summary>Rejects trees a crafted or damaged repository could use to escape a restore target.</summary>
    public void Validate(string where)
    {
        string? previous = null;
        foreach (var n in Nodes)
        {
            if (!Node.IsSafeName(n.Name))
                throw new CorruptDataException($"tree {where}: unsafe entry name '{n.Name.Replace("\0", "\\0", StringComparison.Ordinal)}'");
            if (previous is not null && string.CompareOrdinal(previous, n.Name) >= 0)
                throw new CorruptDataException($"tree {where}: entries not sorted or duplicated ('{n.Name}')");
            if (n.Type == NodeType.Dir && n.Subtree is null)
                throw new CorruptDataException($"tree {where}: folder '{n.Name}' has no subtree");
            previous = n.Name;
        }
    }
}
