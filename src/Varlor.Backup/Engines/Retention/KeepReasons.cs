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
    public const string WithinHourly = "within-hourly";
    public const string WithinDaily = "within-daily";
    public const string WithinWeekly = "within-weekly";
    public const string WithinMonthly = "within-monthly";
    public const string WithinYearly = "within-yearly";
}
