using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Varlor.Bench.TreeGen;

/// <summary>One uploaded dataset: a folder storage/datasets/&lt;tenant&gt;/&lt;id&gt;/ with the export and its metadata.json.</summary>
internal sealed record DatasetPlan(string Tenant, long Id, Schema Schema, string Extension, long Size, ulong Seed, long UploadedAt)
{
    public bool IsText => FormatOf(Extension) is not null;

    public string FileName => Schema.Name + Extension;

    public static ExportFormat? FormatOf(string extension) => extension switch
    {
        ".csv" => ExportFormat.Csv,
        ".tsv" => ExportFormat.Tsv,
        ".jsonl" => ExportFormat.JsonLines,
        _ => null,
    };
}

internal static class Datasets
{
    /// <summary>2026-10-01T00:00:00Z: every generated timestamp is relative to it, never to the clock.</summary>
    public const long BaseTime = 1_790_812_800;

    private static readonly string[] TenantWords =
    [
        "acme", "globex", "initech", "umbrella", "hooli", "stark", "wayne", "wonka", "soylent", "cyberdyne", "tyrell", "aperture",
        "oscorp", "vandelay", "piedpiper", "dunder", "gringotts", "monarch", "nakatomi", "massive", "bluth", "prestige", "sterling", "kramerica",
    ];

    public static string TenantName(int index) => index < TenantWords.Length
        ? "tenant-" + TenantWords[index]
        : string.Create(CultureInfo.InvariantCulture, $"tenant-{TenantWords[index % TenantWords.Length]}{index / TenantWords.Length + 1}");

    /// <summary>Draws an upload's size: log-normal (median 256 KiB, heavy tail), clamped.</summary>
    public static long DrawSize(Rng rng, long cap) =>
        Math.Clamp((long)Math.Exp(Math.Log(256 * 1024) + 1.9 * rng.NextGaussian()), 2048, Math.Max(2048, cap));

    /// <summary>Chooses what kind of file an upload is: mostly text exports, some already-compressed files.</summary>
    public static (Schema Schema, string Extension) DrawKind(Rng rng)
    {
        var schema = rng.Pick(Schema.All);
        var roll = rng.NextDouble();
        var ext = roll switch
        {
            < 0.08 => ".parquet",
            < 0.14 => ".csv.gz",
            < 0.56 => ".csv",
            < 0.72 => ".tsv",
            _ => ".jsonl",
        };
        return (schema, ext);
    }

    public static string DatasetDir(string root, string tenant, long id) =>
        Path.Combine(root, "storage", "datasets", tenant, id.ToString(CultureInfo.InvariantCulture));

    /// <summary>Writes the dataset folder; returns the bytes written.</summary>
    public static long Write(string root, DatasetPlan plan)
    {
        var dir = DatasetDir(root, plan.Tenant, plan.Id);
        Directory.CreateDirectory(dir);
        var rng = new Rng(plan.Seed);
        var path = Path.Combine(dir, plan.FileName);
        long rows = 0;
        long bytes;
        using (var stream = new FileStream(path, FileMode.CreateNew, FileAccess.Write, FileShare.None, 0))
        using (var sink = new Utf8Sink(stream))
        {
            if (DatasetPlan.FormatOf(plan.Extension) is { } format)
            {
                var writer = new RowWriter(plan.Schema, format, rng, 1 + rng.NextLong(0, 5_000_000), plan.UploadedAt - 86400L * rng.Next(400));
                writer.WriteHeader(sink);
                while (sink.Written < plan.Size)
                {
                    writer.WriteRow(sink);
                    rows++;
                }
            }
            else
            {
                WriteIncompressible(sink, rng, plan.Size, plan.Extension == ".parquet");
            }
            sink.Flush();
            bytes = sink.Written;
        }
        WriteMetadata(dir, plan, rows, bytes, version: 1);
        return bytes;
    }

    private static void WriteIncompressible(Utf8Sink sink, Rng rng, long size, bool parquet)
    {
        // Random bytes behind the real magic numbers: compressed columnar files and gzip uploads do not compress again.
        var header = parquet ? "PAR1"u8.ToArray() : new byte[] { 0x1f, 0x8b, 0x08, 0x00, 0, 0, 0, 0, 0, 0x03 };
        sink.Write(header);
        var block = new byte[1 << 16];
        var remaining = size - header.Length - (parquet ? 4 : 0);
        while (remaining > 0)
        {
            var n = (int)Math.Min(block.Length, remaining);
            rng.Fill(block.AsSpan(0, n));
            sink.Write(block.AsSpan(0, n));
            remaining -= n;
        }
        if (parquet)
        {
            sink.Write("PAR1"u8);
        }
    }

    public static void WriteMetadata(string dir, DatasetPlan plan, long rows, long bytes, int version)
    {
        var meta = new JsonObject
        {
            ["dataset_id"] = plan.Id,
            ["tenant"] = plan.Tenant,
            ["file"] = plan.FileName,
            ["schema"] = plan.Schema.Name,
            ["columns"] = new JsonArray(plan.Schema.Columns.Select(c => (JsonNode?)JsonValue.Create(c.Name)).ToArray()),
            ["rows"] = rows,
            ["bytes"] = bytes,
            ["uploaded_at"] = DateTime.UnixEpoch.AddSeconds(plan.UploadedAt).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture),
            ["version"] = version,
        };
        File.WriteAllText(Path.Combine(dir, "metadata.json"), meta.ToJsonString(JsonOptions) + "\n");
    }

    public static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true };

    /// <summary>Re-upload of a text export with rows inserted in the middle: the file is rewritten, most of its bytes unchanged.</summary>
    public static int InsertRowsMidFile(string dir, string fileName, Rng rng, long uploadedAt)
    {
        var path = Path.Combine(dir, fileName);
        var dot = fileName.IndexOf('.', StringComparison.Ordinal);
        var schema = Schema.ByName(fileName[..dot]) ?? throw new InvalidOperationException("unknown schema in " + path);
        var format = DatasetPlan.FormatOf(fileName[dot..]) ?? throw new InvalidOperationException("not a text export: " + path);
        var tmp = path + ".tmp";
        var inserted = 5 + rng.Next(60);
        using (var src = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1 << 16))
        {
            var split = FindLineStart(src, src.Length / 2);
            using var dst = new FileStream(tmp, FileMode.Create, FileAccess.Write, FileShare.None, 0);
            using var sink = new Utf8Sink(dst);
            src.Position = 0;
            CopyBytes(src, sink, split);
            var writer = new RowWriter(schema, format, rng, 10_000_000 + rng.NextLong(0, 1_000_000), uploadedAt - 3600);
            for (var i = 0; i < inserted; i++)
            {
                writer.WriteRow(sink);
            }
            CopyBytes(src, sink, src.Length - split);
        }
        File.Move(tmp, path, overwrite: true);

        var metaPath = Path.Combine(dir, "metadata.json");
        if (File.Exists(metaPath) && JsonNode.Parse(File.ReadAllText(metaPath)) is JsonObject meta)
        {
            meta["rows"] = (meta["rows"]?.GetValue<long>() ?? 0) + inserted;
            meta["bytes"] = new FileInfo(path).Length;
            meta["version"] = (meta["version"]?.GetValue<int>() ?? 1) + 1;
            meta["uploaded_at"] = DateTime.UnixEpoch.AddSeconds(uploadedAt).ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
            File.WriteAllText(metaPath, meta.ToJsonString(JsonOptions) + "\n");
        }
        return inserted;
    }

    /// <summary>The offset just after the first newline at or after <paramref name="from"/> (the file's length if none).</summary>
    private static long FindLineStart(FileStream src, long from)
    {
        src.Position = from;
        var buffer = new byte[1 << 16];
        long pos = from;
        int n;
        while ((n = src.Read(buffer)) > 0)
        {
            var nl = Array.IndexOf(buffer, (byte)'\n', 0, n);
            if (nl >= 0)
            {
                return pos + nl + 1;
            }
            pos += n;
        }
        return src.Length;
    }

    private static void CopyBytes(FileStream src, Utf8Sink sink, long count)
    {
        var buffer = new byte[1 << 20];
        while (count > 0)
        {
            var n = src.Read(buffer, 0, (int)Math.Min(buffer.Length, count));
            if (n == 0)
            {
                throw new EndOfStreamException();
            }
            sink.Write(buffer.AsSpan(0, n));
            count -= n;
        }
    }
}
