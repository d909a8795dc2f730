using System.Globalization;
using System.Text;

namespace Varlor.Bench.TreeGen;

/// <summary>Application logs under logs/: one file per day, varlor-server-yyyy-MM-dd.log.</summary>
internal static class Logs
{
    private static readonly byte[][] Paths = Utf8(["/api/datasets", "/api/datasets/import", "/api/tenants/current", "/api/health", "/api/auth/refresh", "/api/exports"]);
    private static readonly byte[][] Methods = Utf8(["GET", "GET", "GET", "POST", "PUT", "DELETE"]);
    private static readonly int[] Statuses = [200, 200, 200, 200, 200, 201, 204, 304, 400, 401, 404, 500];

    private static byte[][] Utf8(string[] values) => values.Select(Encoding.UTF8.GetBytes).ToArray();

    public static string FileName(long day) =>
        "varlor-server-" + DateTime.UnixEpoch.AddSeconds(day * 86400).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture) + ".log";

    public static long Write(string root, long day, long size, ulong seed, string[] tenants)
    {
        var dir = Path.Combine(root, "logs");
        Directory.CreateDirectory(dir);
        var rng = new Rng(seed);
        var tenantBytes = tenants.Select(Encoding.UTF8.GetBytes).ToArray();
        using var stream = new FileStream(Path.Combine(dir, FileName(day)), FileMode.Create, FileAccess.Write, FileShare.None, 0);
        using var sink = new Utf8Sink(stream);
        var t = day * 86400;
        while (sink.Written < size)
        {
            t += rng.Next(3);
            sink.WriteTimestamp(t, rng.Next(1000));
            var roll = rng.Next(100);
            if (roll < 70)
            {
                sink.Write(" INFO  [http] "u8);
                sink.Write(Methods[rng.Next(Methods.Length)]);
                sink.WriteByte((byte)' ');
                sink.Write(Paths[rng.Next(Paths.Length)]);
                sink.Write(" tenant="u8);
                sink.Write(tenantBytes[rng.Next(tenantBytes.Length)]);
                sink.Write(" status="u8);
                sink.WriteLong(Statuses[rng.Next(Statuses.Length)]);
                sink.Write(" duration_ms="u8);
                sink.WriteLong(1 + (long)Math.Exp(3 + rng.NextGaussian()));
                sink.Write(" request_id="u8);
                sink.WriteHex(rng.NextU64(), 16);
            }
            else if (roll < 90)
            {
                sink.Write(" INFO  [import-worker] dataset "u8);
                sink.WriteLong(1000 + rng.Next(200_000));
                sink.Write(" tenant="u8);
                sink.Write(tenantBytes[rng.Next(tenantBytes.Length)]);
                sink.Write(" imported rows="u8);
                sink.WriteLong(rng.Next(2_000_000));
                sink.Write(" columns="u8);
                sink.WriteLong(3 + rng.Next(30));
                sink.Write(" elapsed_ms="u8);
                sink.WriteLong(rng.Next(90_000));
            }
            else if (roll < 97)
            {
                sink.Write(" WARN  [import-worker] dataset "u8);
                sink.WriteLong(1000 + rng.Next(200_000));
                sink.Write(": skipped "u8);
                sink.WriteLong(1 + rng.Next(50));
                sink.Write(" rows with an invalid decimal in column 'amount'"u8);
            }
            else
            {
                sink.Write(" ERROR [storage] could not read upload for tenant="u8);
                sink.Write(tenantBytes[rng.Next(tenantBytes.Length)]);
                sink.Write(": connection reset by peer (attempt "u8);
                sink.WriteLong(1 + rng.Next(3));
                sink.Write("/3)"u8);
            }
            sink.WriteByte((byte)'\n');
        }
        sink.Flush();
        return sink.Written;
    }
}
