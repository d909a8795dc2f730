using Varlor.Backup.Engines.Chunking;
using Varlor.Backup.Repository;

namespace Varlor.Backup.Tests.Engines.Chunking;

public sealed class FastCdcTests
{
    private static readonly ChunkerParameters Params = ChunkerParameters.CreateDefault() with { GearSeed = new byte[32] };

    private static List<int> Cut(byte[] data, ChunkerParameters? p = null)
    {
        using var reader = new ChunkReader(new FastCdc(p ?? Params));
        reader.Reset(new MemoryStream(data));
        var sizes = new List<int>();
        while (true)
        {
            var chunk = reader.NextAsync(CancellationToken.None).AsTask().GetAwaiter().GetResult();
            if (chunk.IsEmpty) return sizes;
            sizes.Add(chunk.Length);
        }
    }

    private static byte[] RandomBytes(int size, int seed)
    {
        var b = new byte[size];
        new Random(seed).NextBytes(b);
        return b;
    }

    [Fact]
    public void Chunks_cover_the_input_within_bounds_and_average_near_the_target()
    {
        var data = RandomBytes(64 * 1024 * 1024, 1);
        var sizes = Cut(data);
        Assert.Equal(data.Length, sizes.Sum());
        Assert.All(sizes.SkipLast(1), s => Assert.InRange(s, Params.MinSize, Params.MaxSize));
        var average = sizes.SkipLast(1).Average();
        Assert.InRange(average, 0.6 * Params.AvgSize, 1.6 * Params.AvgSize);
    }

    [Fact]
    public void An_insertion_in_the_middle_changes_only_the_chunks_around_it()
    {
        var data = RandomBytes(40 * 1024 * 1024, 2);
        var edited = data.Take(20_000_000).Concat(RandomBytes(100, 3)).Concat(data.Skip(20_000_000)).ToArray();
        var before = Chunks(data);
        var after = Chunks(edited);
        var changed = after.Except(before).Count();
        Assert.InRange(changed, 1, 3);
    }

    [Fact]
    public void Boundaries_depend_on_the_repository_seed()
    {
        var data = RandomBytes(16 * 1024 * 1024, 4);
        var other = Params with { GearSeed = Enumerable.Repeat((byte)7, 32).ToArray() };
        Assert.NotEqual(Cut(data), Cut(data, other));
        Assert.Equal(Cut(data), Cut(data));
    }

    [Fact]
    public void Tiny_and_empty_inputs_are_one_or_no_chunk()
    {
        Assert.Empty(Cut([]));
        Assert.Equal([10], Cut(new byte[10]));
    }

    private static HashSet<string> Chunks(byte[] data)
    {
        var set = new HashSet<string>();
        var offset = 0;
        foreach (var size in Cut(data))
        {
            set.Add(Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(data.AsSpan(offset, size))));
            offset += size;
        }
        return set;
    }
}
