using System.Text.RegularExpressions;
using Varlor.Server.Configuration;
using Varlor.Testing;

namespace Varlor.Server.Tests;

/// <summary>
/// Settings come from appsettings.json, then Varlor__* (the .NET convention), then VARLOR_* (later wins);
/// docs/server.md's configuration table lists each key.
/// </summary>
public sealed class ConfigurationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("varlor-config-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private ServerSettings Load(params (string Name, string Value)[] environment) =>
        ServerSettings.Load(environment.ToDictionary(e => e.Name, e => (string?)e.Value), _folder);

    [Fact]
    public void Varlor__Database_alone_sets_the_connection_string()
    {
        var settings = Load(("Varlor__Database", "Host=db.example;Database=imports;Username=svc"));
        Assert.Equal("Host=db.example;Database=imports;Username=svc", settings.ConnectionString);
    }

    [Fact]
    public void Every_documented_key_is_read_from_its_Varlor__variable()
    {
        var settings = Load(
            ("Varlor__Database", "Host=h;Database=d"),
            ("Varlor__Storage", "/srv/varlor/storage"),
            ("Varlor__Logs", "/srv/varlor/logs"),
            ("Varlor__AdminKey", "admin-secret"),
            ("Varlor__Urls", "http://127.0.0.1:6001"),
            ("Varlor__MaxUploadBytes", "12345"),
            ("Varlor__MaintenanceFile", "/srv/varlor/flag"),
            ("Varlor__RetryAfterSeconds", "42"),
            ("Varlor__PurgeAfterDays", "3"),
            ("Varlor__MigrateOnStart", "false"),
            ("Varlor__ConsoleLog", "false"));
        Assert.Equal("Host=h;Database=d", settings.ConnectionString);
        Assert.Equal("/srv/varlor/storage", settings.StorageRoot);
        Assert.Equal("/srv/varlor/logs", settings.LogDirectory);
        Assert.Equal("admin-secret", settings.AdminKey);
        Assert.Equal("http://127.0.0.1:6001", settings.Urls);
        Assert.Equal(12345, settings.MaxUploadBytes);
        Assert.Equal("/srv/varlor/flag", settings.EffectiveMaintenanceFile);
        Assert.Equal(42, settings.RetryAfterSeconds);
        Assert.Equal(TimeSpan.FromDays(3), settings.PurgeAfter);
        Assert.False(settings.MigrateOnStart);
        Assert.False(settings.ConsoleLog);
    }

    [Fact]
    public async Task VARLOR_variables_win_over_Varlor__variables_which_win_over_appsettings()
    {
        await File.WriteAllTextAsync(Path.Combine(_folder, "appsettings.json"), """
            { "Varlor": { "Database": "Host=from-file", "Storage": "/from-file/storage", "Logs": "/from-file/logs", "RetryAfterSeconds": 7 } }
            """);
        var settings = Load(
            ("Varlor__Database", "Host=from-dotnet-variable"),
            ("VARLOR_DB", "Host=from-varlor-variable"),
            ("Varlor__Storage", "/from-dotnet-variable/storage"));
        Assert.Equal("Host=from-varlor-variable", settings.ConnectionString);
        Assert.Equal("/from-dotnet-variable/storage", settings.StorageRoot);
        Assert.Equal("/from-file/logs", settings.LogDirectory);
        Assert.Equal(7, settings.RetryAfterSeconds);
    }

    [Fact]
    public void A_bad_number_in_a_Varlor__variable_names_the_setting()
    {
        var e = Assert.Throws<InvalidOperationException>(() => Load(("Varlor__MaxUploadBytes", "lots")));
        Assert.Contains("MaxUploadBytes", e.Message, StringComparison.Ordinal);
    }

    /// <summary>The real program reading its real process environment (not the tests' dictionary).</summary>
    [Fact]
    public async Task The_program_honours_Varlor__Database_from_its_environment()
    {
        await using var db = await (await PostgresCluster.GetSharedAsync()).CreateDatabaseAsync("dotnetenv");
        var program = Path.Combine(AppContext.BaseDirectory, "varlor-server.dll");
        var result = await ProcessRunner.RunAsync("dotnet", [program, "tenant", "add", "globex"], new Dictionary<string, string>
        {
            ["Varlor__Database"] = db.ConnectionString,
            ["Varlor__Storage"] = Path.Combine(_folder, "storage"),
            ["Varlor__Logs"] = Path.Combine(_folder, "logs"),
            ["VARLOR_DB"] = "", // an inherited one would win
            ["VARLOR_STORAGE"] = "",
            ["VARLOR_LOGS"] = "",
        }, timeout: TimeSpan.FromMinutes(1));
        Assert.True(result.ExitCode == 0, result.Output);
        Assert.Matches(new Regex(@"API key \(shown only now, store it safely\): vk_"), result.StandardOutput);
        Assert.Equal(1L, await db.ScalarAsync("SELECT count(*) FROM tenants WHERE name = 'globex'"));
    }
}
