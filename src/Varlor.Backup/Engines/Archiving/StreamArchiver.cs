using Varlor.Backup.Engines.Chunking;
using Varlor.Backup.Repository;
using Varlor.Backup.Repository.Index;
using Varlor.Backup.Repository.Snapshots;
using Varlor.Backup.Repository.Trees;
using Repo = Varlor.Backup.Repository.Repository;

namespace Varlor.Backup.Engines.Archiving;

/// <summary>
/// Backs up named streams (a database dump piped from its tool, say) into a snapshot, with the same chunking,
/// deduplication, packing, index and snapshot saving as a folder backup, and nothing written to disk but packs.
/// The snapshot's paths are the folders holding the sources; its files have mode 0600 and the time of the run.
/// </summary>
public sealed class StreamArchiver(Repo repo)
{
    private long _bytesDone;

    public long BytesDone => Interlocked.Read(ref _bytesDone);

    public async Task<BackupResult> RunAsync(IReadOnlyList<StreamSource> sources, StreamBackupOptions options, CancellationToken ct)
    {
        var start = DateTimeOffset.UtcNow;
        var files = sources.Select(s => (Parts: SplitPath(s.Path), Source: s)).ToList();
        if (files.Count == 0) throw new VarlorException("nothing to back up: no stream given");
        var folders = files.Select(f => "/" + string.Join('/', f.Parts[..^1])).Distinct().Order(StringComparer.Ordinal).ToList();
        if (files.Select(f => string.Join('/', f.Parts)).Distinct().Count() != files.Count)
            throw new VarlorException("two streams have the same path");

        await repo.LoadIndexAsync(ct);
        var adopted = await repo.AdoptUnindexedPacksAsync(null, ct);
        var host = options.Host ?? Environment.MachineName;
        var mtimeNs = (start - DateTimeOffset.UnixEpoch).Ticks * 100;

        await using var sink = new BlobSink(repo, options.Workers, options.CompressionLevel);
        var readers = new Dictionary<int, ChunkReader>();
        var root = new Folder();
        foreach (var (parts, source) in files)
        {
            var reader = ReaderFor(source.ChunkAverage, readers);
            var content = new List<BlobId>();
            long size = 0;
            await using (var stream = await source.Open(ct))
            {
                if (source.HeadChunk > 0) size += await ChunkAsync(new HeadStream(stream, source.HeadChunk), reader, sink, content, ct);
                size += await ChunkAsync(stream, reader, sink, content, ct);
            }
            var folder = root;
            foreach (var part in parts[..^1]) folder = folder.Child(part);
            folder.Files[parts[^1]] = new Node
            {
                Name = parts[^1], Type = NodeType.File, Mode = 0x180, MtimeNs = mtimeNs, CtimeNs = mtimeNs, Size = size, Content = content,
            };
        }

        foreach (var r in readers.Values) r.Dispose();
        var rootId = await StoreAsync(root, sink, mtimeNs, ct);
        var snapshot = new Snapshot
        {
            Time = options.Time ?? start,
            Hostname = host,
            Username = Environment.UserName,
            Paths = folders,
            Tags = [.. options.Tags.Distinct().Order(StringComparer.Ordinal)],
            Tree = rootId,
            Summary = new BackupSummary
            {
                BackupStart = start,
                FilesNew = files.Count,
                TotalFilesProcessed = files.Count, TotalBytesProcessed = BytesDone, BytesRead = BytesDone,
            },
        };
        return await sink.CommitAsync(snapshot, adopted, [], ct);
    }

    /// <summary>One reader per chunk profile of the run: the repository's, or a smaller one (see StreamSource.ChunkAverage).</summary>
    private ChunkReader ReaderFor(int average, Dictionary<int, ChunkReader> readers)
    {
        var p = repo.Config.Chunker;
        if (average <= 0 || average >= p.AvgSize) average = p.AvgSize;
        if (!readers.TryGetValue(average, out var reader))
        {
            if (!int.IsPow2(average) || average < 1024) throw new VarlorException($"stream chunk average {average}: give a power of two of at least 1 KiB");
            var profile = average == p.AvgSize ? p : p with { MinSize = average / 4, AvgSize = average, MaxSize = Math.Min(average * 4, p.MaxSize) };
            readers[average] = reader = new ChunkReader(new FastCdc(profile));
        }
        return reader;
    }

    private async Task<long> ChunkAsync(Stream stream, ChunkReader reader, BlobSink sink, List<BlobId> content, CancellationToken ct)
    {
        long size = 0;
        reader.Reset(stream);
        while (true)
        {
            var chunk = await reader.NextAsync(ct);
            if (chunk.IsEmpty) return size;
            content.Add(await sink.AddDataAsync(chunk, ct));
            size += chunk.Length;
            Interlocked.Add(ref _bytesDone, chunk.Length);
        }
    }

    private static string[] SplitPath(string path)
    {
        var parts = path.Split('/', StringSplitOptions.RemoveEmptyEntries);
        if (!path.StartsWith('/') || parts.Length < 2 || !parts.All(Node.IsSafeName))
            throw new VarlorException($"stream path '{path}': give an absolute path with a folder and a file name, without '.' or '..'");
        return parts;
    }

    private static async Task<BlobId> StoreAsync(Folder folder, BlobSink sink, long mtimeNs, CancellationToken ct)
    {
        var nodes = new List<Node>(folder.Files.Values);
        foreach (var (name, child) in folder.Folders)
        {
            var subtree = await StoreAsync(child, sink, mtimeNs, ct);
            nodes.Add(new Node { Name = name, Type = NodeType.Dir, Mode = 0x1C0, MtimeNs = mtimeNs, CtimeNs = mtimeNs, Subtree = subtree });
        }
        nodes.Sort((a, b) => string.CompareOrdinal(a.Name, b.Name));
        return await sink.AddTreeAsync(new Tree(nodes), ct);
    }

    private sealed class Folder
    {
        public SortedDictionary<string, Folder> Folders { get; } = new(StringComparer.Ordinal);
        public SortedDictionary<string, Node> Files { get; } = new(StringComparer.Ordinal);

        public Folder Child(string name)
        {
            if (Files.ContainsKey(name)) throw new VarlorException($"stream path: '{name}' is both a file and a folder");
            if (!Folders.TryGetValue(name, out var f)) Folders[name] = f = new Folder();
            return f;
        }
    }
}
