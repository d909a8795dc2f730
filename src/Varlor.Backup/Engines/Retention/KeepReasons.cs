namespace Varlor.Backup.Engines.Retention;

/// <summary>The names of the rules that can keep a snapshot, as printed and in <c>forget --json</c>.</summary>
public static class KeepReasons
{
    public const string Tag = "tag";
    public const string Within = "within";
    public const string Last = "last";
    public const string Hourly = "hourly";
    public const string Daily = "daily";
    public const string Weekly = "weekly";
    public const string Monthly = "monthly";
    public const string Yearly = "yearly";
}
