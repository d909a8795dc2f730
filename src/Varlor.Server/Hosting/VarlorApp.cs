using Npgsql;
using Serilog;
using Varlor.Server.Configuration;
using Varlor.Server.Database;
using Varlor.Server.Datasets;
using Varlor.Server.Health;
using Varlor.Server.Maintenance;
using Varlor.Server.Storage;
using Varlor.Server.Tenants;

namespace Varlor.Server.Hosting;

/// <summary>Builds the web application; used by `varlor-server run` and by the tests (on 127.0.0.1:0).</summary>
public static class VarlorApp
{
    /// <summary>Builds the app, applies migrations (when enabled) and settles leftovers of a crash. Not started yet.</summary>
    public static async Task<WebApplication> CreateAsync(ServerSettings settings, string? urls, CancellationToken ct)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            ContentRootPath = AppContext.BaseDirectory,
            ApplicationName = typeof(VarlorApp).Assembly.GetName().Name,
        });
        builder.WebHost.UseUrls(urls ?? settings.Urls);
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.AddServerHeader = false;
            k.Limits.MaxRequestBodySize = settings.MaxUploadBytes + 1024 * 1024;
        });
        builder.Services.AddSerilog((_, config) => Logging.Configure(config, settings), preserveStaticLogger: true);

        var services = builder.Services;
        services.AddSingleton(settings);
        services.AddSingleton(_ => NpgsqlDataSource.Create(settings.ConnectionString));
        services.AddSingleton<DatasetStorage>();
        services.AddSingleton<StorageRecovery>();
        services.AddSingleton<Migrator>();
        services.AddSingleton<TenantStore>();
        services.AddSingleton<DatasetRepository>();
        services.AddSingleton<DatasetWriter>();
        services.AddSingleton<UploadReceiver>();
        services.AddSingleton<MaintenanceMode>();
        services.AddSingleton<PurgeService>();
        services.AddSingleton<TenantAuthFilter>();
        services.AddSingleton<WriteGuardFilter>();
        services.AddSingleton<AdminAuthFilter>();
        services.AddHostedService<PurgeBackgroundService>();
        services.AddExceptionHandler<DatabaseUnavailableHandler>();
        services.AddProblemDetails(o => o.CustomizeProblemDetails = ProblemDefaults.Fill);
        services.AddOpenApi(o => o.AddDocumentTransformer((doc, _, _) =>
        {
            doc.Info.Title = "Varlor data-import service";
            doc.Info.Description = "Tenants upload CSV, TSV and JSON-lines datasets; see docs/server.md.";
            return Task.CompletedTask;
        }));

        var app = builder.Build();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        app.UseSerilogRequestLogging();
        app.MapOpenApi();
        app.MapHealth();
        app.MapDatasets();
        app.MapAdmin();

        try
        {
            if (settings.MigrateOnStart)
                await app.Services.GetRequiredService<Migrator>().MigrateAsync(ct);
            await app.Services.GetRequiredService<StorageRecovery>().RecoverAsync(ct);
        }
        catch
        {
            await app.DisposeAsync();
            throw;
        }

        return app;
    }
}
