using System.Text.Json;
using Varlor.Server.Configuration;

namespace Varlor.Server.Maintenance;

public sealed record MaintenanceStatus(bool Enabled, string FlagFile, string? Reason, DateTimeOffset? Since, int RetryAfterSeconds);

/// <summary>
/// Maintenance mode is the presence of one flag file, so that the admin endpoint, an operator's `touch`
/// and every process sharing the storage agree, and it survives a restart.
/// </summary>
public sealed class MaintenanceMode(ServerSettings settings)
{
    public string FlagFile => settings.EffectiveMaintenanceFile;

    public bool IsEnabled => File.Exists(FlagFile);

    public MaintenanceStatus Status()
    {
        if (!IsEnabled) return new MaintenanceStatus(false, FlagFile, null, null, settings.RetryAfterSeconds);
        string? reason = null;
        try
        {
            using var doc = JsonDocument.Parse(File.ReadAllText(FlagFile));
            reason = doc.RootElement.TryGetProperty("reason", out var r) ? r.GetString() : null;
        }
        catch (Exception e) when (e is JsonException or IOException)
        {
            // a hand-made flag file may hold anything; it still means "on"
        }

        return new MaintenanceStatus(true, FlagFile, reason, File.GetLastWriteTimeUtc(FlagFile), settings.RetryAfterSeconds);
    }

    public void Enable(string? reason)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(FlagFile)!);
        var temp = FlagFile + ".tmp";
        File.WriteAllText(temp, JsonSerializer.Serialize(new { reason, since = DateTimeOffset.UtcNow }));
        File.Move(temp, FlagFile, overwrite: true);
    }

    public void Disable() => File.Delete(FlagFile);
}
