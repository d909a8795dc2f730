using System.Text;

namespace Varlor.Bench.TreeGen;

internal enum ExportFormat
{
    Csv,
    Tsv,
    JsonLines,
}

internal enum ColumnKind
{
    Id,
    ForeignId,
    Timestamp,
    Date,
    Category,
    Money,
    SmallInt,
    FirstName,
    LastName,
    Email,
    Sku,
    Measurement,
    HexReference,
}

internal sealed record Column(string Name, ColumnKind Kind, string[]? Values = null, long Max = 0)
{
    public byte[] NameUtf8 { get; } = Encoding.UTF8.GetBytes(Name);
    public byte[][] ValuesUtf8 { get; } = (Values ?? []).Select(Encoding.UTF8.GetBytes).ToArray();
}

/// <summary>The kinds of tables Varlor tenants upload: business exports with ids, timestamps, decimals, names, categories.</summary>
internal sealed record Schema(string Name, Column[] Columns)
{
    private static readonly string[] Countries = ["FR", "FR", "FR", "DE", "DE", "ES", "IT", "BE", "NL", "CH", "GB", "US", "PT", "PL", "SE"];
    private static readonly string[] Cities =
    [
        "Paris", "Lyon", "Marseille", "Toulouse", "Nantes", "Lille", "Bordeaux", "Berlin", "München", "Hamburg",
        "Madrid", "Barcelona", "Milano", "Roma", "Bruxelles", "Amsterdam", "Zürich", "Genève", "London", "Lisboa",
        "Kraków", "Stockholm", "New York", "Montréal",
    ];

    public static readonly Schema Orders = new("orders",
    [
        new("order_id", ColumnKind.Id),
        new("customer_id", ColumnKind.ForeignId, Max: 250_000),
        new("created_at", ColumnKind.Timestamp),
        new("status", ColumnKind.Category, ["paid", "paid", "paid", "shipped", "shipped", "delivered", "delivered", "delivered", "pending", "cancelled", "refunded"]),
        new("currency", ColumnKind.Category, ["EUR", "EUR", "EUR", "EUR", "USD", "USD", "GBP", "CHF"]),
        new("amount", ColumnKind.Money),
        new("quantity", ColumnKind.SmallInt, Max: 12),
        new("product_sku", ColumnKind.Sku),
        new("country", ColumnKind.Category, Countries),
    ]);

    public static readonly Schema Customers = new("customers",
    [
        new("customer_id", ColumnKind.Id),
        new("first_name", ColumnKind.FirstName),
        new("last_name", ColumnKind.LastName),
        new("email", ColumnKind.Email),
        new("signup_date", ColumnKind.Date),
        new("segment", ColumnKind.Category, ["consumer", "consumer", "consumer", "smb", "smb", "enterprise", "public_sector"]),
        new("city", ColumnKind.Category, Cities),
        new("country", ColumnKind.Category, Countries),
        new("lifetime_value", ColumnKind.Money),
    ]);

    public static readonly Schema Transactions = new("transactions",
    [
        new("transaction_id", ColumnKind.Id),
        new("account_id", ColumnKind.ForeignId, Max: 60_000),
        new("booked_at", ColumnKind.Timestamp),
        new("type", ColumnKind.Category, ["debit", "debit", "debit", "credit", "credit", "fee", "transfer", "refund"]),
        new("amount", ColumnKind.Money),
        new("balance", ColumnKind.Money),
        new("merchant", ColumnKind.Category,
        [
            "Carrefour", "Monoprix", "SNCF", "Amazon EU", "Deliveroo", "Uber", "Total Energies", "Fnac", "Decathlon", "Leroy Merlin",
            "IKEA", "Apple", "Spotify", "Netflix", "Free Mobile", "Orange", "EDF", "La Poste", "Boulangerie Paul", "Picard",
        ]),
        new("category", ColumnKind.Category, ["groceries", "transport", "shopping", "utilities", "restaurants", "subscriptions", "housing", "health"]),
        new("reference", ColumnKind.HexReference),
    ]);

    public static readonly Schema SensorReadings = new("sensor_readings",
    [
        new("reading_id", ColumnKind.Id),
        new("device_id", ColumnKind.ForeignId, Max: 4_000),
        new("recorded_at", ColumnKind.Timestamp),
        new("metric", ColumnKind.Category, ["temperature", "humidity", "pressure", "co2", "voltage", "power"]),
        new("value", ColumnKind.Measurement),
        new("quality", ColumnKind.Category, ["good", "good", "good", "good", "good", "good", "suspect", "bad"]),
    ]);

    public static readonly Schema[] All = [Orders, Customers, Transactions, SensorReadings];

    public static Schema? ByName(string name) => All.FirstOrDefault(s => s.Name == name);
}

/// <summary>Writes rows of a schema in one of the export formats. All randomness comes from the given Rng.</summary>
internal sealed class RowWriter
{
    private static readonly byte[][] FirstNames = Utf8(
    [
        "Camille", "Léa", "Manon", "Chloé", "Emma", "Inès", "Sarah", "Julie", "Anna", "Lucie", "Marie", "Sophie", "Laura", "Nina", "Zoé",
        "Lucas", "Hugo", "Louis", "Nathan", "Thomas", "Jules", "Arthur", "Paul", "Léo", "Maxime", "Antoine", "Pierre", "Julien", "Nicolas", "Karim",
        "Jonas", "Lukas", "Finn", "Mia", "Hannah", "Sofia", "Mateo", "Lucía", "Giulia", "Marco", "Oliver", "Amelia", "Jack", "Noah", "Olivia",
    ]);

    private static readonly byte[][] LastNames = Utf8(
    [
        "Martin", "Bernard", "Dubois", "Thomas", "Robert", "Richard", "Petit", "Durand", "Leroy", "Moreau", "Simon", "Laurent", "Lefebvre",
        "Michel", "Garcia", "David", "Bertrand", "Roux", "Vincent", "Fournier", "Morel", "Girard", "André", "Mercier", "Dupont", "Lambert",
        "Bonnet", "François", "Martinez", "Müller", "Schmidt", "Schneider", "Fischer", "Weber", "Rossi", "Russo", "Ferrari", "Fernández",
        "López", "Smith", "Jones", "Taylor", "Brown", "Williams", "Nowak", "Kowalski", "Andersson", "Janssen", "De Vries", "Benali",
    ]);

    private static readonly byte[][] Domains = Utf8(["gmail.com", "gmail.com", "yahoo.fr", "orange.fr", "free.fr", "outlook.com", "hotmail.fr", "proton.me", "laposte.net", "gmx.de"]);
    private static readonly byte[][] SkuPrefixes = Utf8(["SKU-A", "SKU-B", "SKU-C", "SKU-H", "SKU-K", "SKU-X"]);

    private readonly Schema _schema;
    private readonly ExportFormat _format;
    private readonly Rng _rng;
    private readonly byte _delimiter;
    private long _nextId;
    private long _time;
    private int _first;
    private int _last;

    public RowWriter(Schema schema, ExportFormat format, Rng rng, long firstId, long startUnixSeconds)
    {
        _schema = schema;
        _format = format;
        _rng = rng;
        _delimiter = format == ExportFormat.Tsv ? (byte)'\t' : (byte)',';
        _nextId = firstId;
        _time = startUnixSeconds;
    }

    private static byte[][] Utf8(string[] values) => values.Select(Encoding.UTF8.GetBytes).ToArray();

    public void WriteHeader(Utf8Sink sink)
    {
        if (_format == ExportFormat.JsonLines)
        {
            return;
        }
        for (var i = 0; i < _schema.Columns.Length; i++)
        {
            if (i > 0)
            {
                sink.WriteByte(_delimiter);
            }
            sink.Write(_schema.Columns[i].NameUtf8);
        }
        sink.WriteByte((byte)'\n');
    }

    public void WriteRow(Utf8Sink sink)
    {
        var json = _format == ExportFormat.JsonLines;
        if (json)
        {
            sink.WriteByte((byte)'{');
        }
        var columns = _schema.Columns;
        for (var i = 0; i < columns.Length; i++)
        {
            var c = columns[i];
            if (json)
            {
                if (i > 0)
                {
                    sink.WriteByte((byte)',');
                }
                sink.WriteByte((byte)'"');
                sink.Write(c.NameUtf8);
                sink.Write("\":"u8);
            }
            else if (i > 0)
            {
                sink.WriteByte(_delimiter);
            }
            var quoted = json && IsString(c.Kind);
            if (quoted)
            {
                sink.WriteByte((byte)'"');
            }
            WriteValue(sink, c);
            if (quoted)
            {
                sink.WriteByte((byte)'"');
            }
        }
        if (json)
        {
            sink.WriteByte((byte)'}');
        }
        sink.WriteByte((byte)'\n');
    }

    private static bool IsString(ColumnKind kind) => kind is ColumnKind.Timestamp or ColumnKind.Date or ColumnKind.Category
        or ColumnKind.FirstName or ColumnKind.LastName or ColumnKind.Email or ColumnKind.Sku or ColumnKind.HexReference;

    private void WriteValue(Utf8Sink sink, Column c)
    {
        switch (c.Kind)
        {
            case ColumnKind.Id:
                sink.WriteLong(_nextId);
                _nextId += 1 + (_rng.Next(16) == 0 ? _rng.Next(5) : 0);
                break;
            case ColumnKind.ForeignId:
                sink.WriteLong(1 + _rng.NextLong(0, c.Max));
                break;
            case ColumnKind.Timestamp:
                _time += _rng.Next(90);
                sink.WriteTimestamp(_time);
                break;
            case ColumnKind.Date:
                _time += _rng.Next(600);
                sink.WriteDate(_time);
                break;
            case ColumnKind.Category:
                sink.Write(c.ValuesUtf8[_rng.Next(c.ValuesUtf8.Length)]);
                break;
            case ColumnKind.Money:
                // Log-normal amounts around 40.00 with a long tail, in cents.
                var cents = (long)Math.Exp(8.3 + 1.3 * _rng.NextGaussian());
                sink.WriteFixed(Math.Min(cents, 99_999_999_99L), 2);
                break;
            case ColumnKind.SmallInt:
                sink.WriteLong(1 + _rng.Next((int)c.Max));
                break;
            case ColumnKind.FirstName:
                _first = _rng.Next(FirstNames.Length);
                sink.Write(FirstNames[_first]);
                break;
            case ColumnKind.LastName:
                _last = _rng.Next(LastNames.Length);
                sink.Write(LastNames[_last]);
                break;
            case ColumnKind.Email:
                WriteLowerAscii(sink, FirstNames[_first]);
                sink.WriteByte((byte)'.');
                WriteLowerAscii(sink, LastNames[_last]);
                sink.WriteLong(_rng.Next(1000));
                sink.WriteByte((byte)'@');
                sink.Write(Domains[_rng.Next(Domains.Length)]);
                break;
            case ColumnKind.Sku:
                sink.Write(SkuPrefixes[_rng.Next(SkuPrefixes.Length)]);
                sink.WriteLong(10_000 + _rng.Next(5_000));
                break;
            case ColumnKind.Measurement:
                sink.WriteFixed((long)(21_000 + 4_000 * _rng.NextGaussian()), 3);
                break;
            case ColumnKind.HexReference:
                sink.WriteHex(_rng.NextU64(), 16);
                break;
            default:
                throw new InvalidOperationException(c.Kind.ToString());
        }
    }

    private static void WriteLowerAscii(Utf8Sink sink, byte[] name)
    {
        sink.Ensure(name.Length);
        foreach (var b in name)
        {
            if (b is >= (byte)'A' and <= (byte)'Z')
            {
                sink.WriteByte((byte)(b + 32));
            }
            else if (b is >= (byte)'a' and <= (byte)'z')
            {
                sink.WriteByte(b);
            }
            // Accented letters and spaces are dropped from e-mail addresses.
        }
    }
}
