using System.Net.Http.Json;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Postgres.Dumps;

/// <summary>
/// varlor-server's maintenance mode around an in-place restore: POST /admin/maintenance before, DELETE after,
/// with the admin key from VARLOR_ADMIN_KEY in X-Api-Key (never on the command line).
/// </summary>
public sealed class Maintenance : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly Uri _endpoint;
    private bool _on;

    private Maintenance(HttpClient http, Uri endpoint)
    {
        _http = http;
        _endpoint = endpoint;
    }

    public static async Task<Maintenance> EnterAsync(string baseUrl, string reason, CancellationToken ct)
    {
        var key = Environment.GetEnvironmentVariable("VARLOR_ADMIN_KEY");
        if (string.IsNullOrEmpty(key)) throw new VarlorException("--maintenance-url needs the admin key in VARLOR_ADMIN_KEY");
        if (!Uri.TryCreate(baseUrl.TrimEnd('/') + "/admin/maintenance", UriKind.Absolute, out var endpoint))
            throw new VarlorException($"--maintenance-url '{baseUrl}' is not a URL");
        var http = new HttpClient { Timeout = TimeSpan.FromSeconds(15) };
        http.DefaultRequestHeaders.Add("X-Api-Key", key);
        var m = new Maintenance(http, endpoint);
        try
        {
            using var response = await http.PostAsJsonAsync(endpoint, new { reason }, ct);
            if (!response.IsSuccessStatusCode)
                throw new VarlorException($"varlor-server refused maintenance mode: {(int)response.StatusCode} {response.ReasonPhrase}");
        }
        catch (HttpRequestException e)
        {
            http.Dispose();
            throw new VarlorException($"cannot reach varlor-server at {baseUrl}: {e.Message}");
        }
        m._on = true;
        return m;
    }

    public async ValueTask DisposeAsync()
    {
        if (_on)
        {
            try { using var _ = await _http.DeleteAsync(_endpoint); }
            catch (HttpRequestException e) { Console.Error.WriteLine($"warning: could not leave maintenance mode ({e.Message}): DELETE {_endpoint} by hand"); }
        }
        _http.Dispose();
    }
}
