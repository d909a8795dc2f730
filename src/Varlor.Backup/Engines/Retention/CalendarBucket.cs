using System.Globalization;

namespace Varlor.Backup.Engines.Retention;

/// <summary>
/// The calendar periods of the bucket rules, read from the wall clock in a time zone as restic reads them from a
/// snapshot's time: hour YYYYMMDDHH, day YYYYMMDD, ISO week YYYYWW (the ISO year, so 2021-01-03 is 2020-W53),
/// month YYYYMM, year YYYY. Across a DST change the wall clock decides: the repeated hour is one bucket, the
/// skipped hour none.
/// </summary>
public static class CalendarBucket
{
    public static long Hour(DateTime wall) => Day(wall) * 100 + wall.Hour;

    public static long Day(DateTime wall) => wall.Year * 10000L + wall.Month * 100 + wall.Day;

    public static long Week(DateTime wall) => ISOWeek.GetYear(wall) * 100L + ISOWeek.GetWeekOfYear(wall);

    public static long Month(DateTime wall) => wall.Year * 100L + wall.Month;

    public static long Year(DateTime wall) => wall.Year;
}
