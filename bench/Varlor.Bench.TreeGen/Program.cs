using System.Globalization;
using Varlor.Bench.TreeGen;

const string Usage = """
    usage: varlor-treegen gen --out DIR [--size 1GiB] [--seed N]
           varlor-treegen mutate --out DIR [--seed N]

    gen     writes a deterministic Varlor-like tree: DIR/storage/datasets/<tenant>/<dataset_id>/
            (CSV, TSV and JSON-lines exports of heavy-tailed sizes, some incompressible .parquet
            and .csv.gz uploads, a metadata.json each) and DIR/logs/ (a file per day).
    mutate  applies a day of change to such a tree: 1% new datasets, 2% re-uploaded with rows
            inserted in the middle of the file, a few deletions, a new day of logs.
    """;

if (args.Length == 0 || args[0] is "-h" or "--help")
{
    Console.WriteLine(Usage);
    return args.Length == 0 ? 2 : 0;
}

string? outDir = null;
var size = 1L << 30;
ulong seed = 1;
try
{
    for (var i = 1; i < args.Length; i++)
    {
        string Value() => i + 1 < args.Length ? args[++i] : throw new FormatException($"{args[i]} needs a value");
        switch (args[i])
        {
            case "--out":
                outDir = Value();
                break;
            case "--size":
                size = Size.Parse(Value());
                break;
            case "--seed":
                seed = ulong.Parse(Value(), CultureInfo.InvariantCulture);
                break;
            default:
                throw new FormatException($"unknown option {args[i]}");
        }
    }
    if (outDir is null)
    {
        throw new FormatException("--out is required");
    }
    if (size < 64 * 1024)
    {
        throw new FormatException("--size must be at least 64KiB");
    }
}
catch (FormatException e)
{
    Console.Error.WriteLine("treegen: " + e.Message);
    Console.Error.WriteLine(Usage);
    return 2;
}

return args[0] switch
{
    "gen" => Generator.Generate(Path.GetFullPath(outDir), size, seed),
    "mutate" => Mutator.Mutate(Path.GetFullPath(outDir), seed),
    _ => Fail($"unknown command {args[0]}"),
};

static int Fail(string message)
{
    Console.Error.WriteLine("treegen: " + message);
    Console.Error.WriteLine(Usage);
    return 2;
}
