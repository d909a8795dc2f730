using Serilog;
using Serilog.Events;
using Serilog.Formatting.Compact;
using Varlor.Server.Configuration;

namespace Varlor.Server.Hosting;

/// <summary>Structured logs: one JSON event per line in &lt;logs&gt;/varlor-server-YYYYMMDD.log, a new file each day.</summary>
public static class Logging
{
    public const string FilePrefix = "varlor-server-";

    public static void Configure(LoggerConfiguration config, ServerSettings settings)
    {
        try
        {
            Directory.CreateDirectory(settings.LogDirectory);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException($"cannot create the log folder {settings.LogDirectory} (VARLOR_LOGS): {e.Message}", e);
        }

        config.MinimumLevel.Information()
            .MinimumLevel.Override("Microsoft.AspNetCore", LogEventLevel.Warning)
            .MinimumLevel.Override("Microsoft.Hosting.Lifetime", LogEventLevel.Information)
            .Enrich.FromLogContext()
            .Enrich.WithProperty("Application", "varlor-server")
            .WriteTo.File(new CompactJsonFormatter(), Path.Combine(settings.LogDirectory, FilePrefix + ".log"),
                rollingInterval: RollingInterval.Day, retainedFileCountLimit: 31, flushToDiskInterval: TimeSpan.FromSeconds(1));
        if (settings.ConsoleLog)
            config.WriteTo.Console(formatProvider: System.Globalization.CultureInfo.InvariantCulture);
    }
}
