using Varlor.Server.Configuration;

namespace Varlor.Server.Maintenance;

/// <summary>Runs the purge every PurgeInterval, except in maintenance mode.</summary>
public sealed class PurgeBackgroundService(PurgeService purge, MaintenanceMode maintenance, ServerSettings settings,
    ILogger<PurgeBackgroundService> log) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (settings.PurgeInterval <= TimeSpan.Zero) return;
        using var timer = new PeriodicTimer(settings.PurgeInterval);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (maintenance.IsEnabled) continue;
            try
            {
                await purge.PurgeAsync(settings.PurgeAfter, stoppingToken);
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                log.LogError(e, "Scheduled purge failed; it will be tried again in {Interval}", settings.PurgeInterval);
            }
        }
    }
}
