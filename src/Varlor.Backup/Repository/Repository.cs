using System.Security.Cryptography;
using System.Text.Json;
using Varlor.Backup.Repository.Crypto;
using Varlor.Backup.Repository.Index;
using Varlor.Backup.Repository.Keys;
using Varlor.Backup.Repository.Packs;
using Varlor.Backup.Repository.Snapshots;
using Varlor.Backup.Repository.Trees;
using Varlor.Backup.Storage;

namespace Varlor.Backup.Repository;

/// <summary>
/// An open repository: its config and master key over a storage backend. Seals and names every stored file,
/// and verifies every read (file hash, then authentication, then the blob's keyed id).
/// </summary>
public sealed class Repository : IDisposable
{
    private static readonly byte[] ConfigAad = "varlor:config"u8.ToArray();
    private static readonly byte[] IndexAad = "varlor:index"u8.ToArray();
    private static readonly byte[] SnapshotAad = "varlor:snapshot"u8.ToArray();
    private static readonly byte[] LockAad = "varlor:lock"u8.ToArray();

    private readonly ThreadLocal<Aead> _aead;

    public IStorageBackend Backend { get; }
    public RepositoryConfig Config { get; }
    public MasterKey Key { get; }
    /// <summary>The key file that opened this repository.</summary>
    public string KeyName { get; }
    public MasterIndex Index { get; } = new();

    private Repository(IStorageBackend backend, RepositoryConfig config, MasterKey key, string keyName)
    {
        Backend = backend;
        Config = config;
        Key = key;
        KeyName = keyName;
        _aead = new ThreadLocal<Aead>(key.CreateAead, trackAllValues: true);
    }

    public Aead Aead => _aead.Value!;

    public static async Task<Repository> InitAsync(IStorageBackend backend, string password, CancellationToken ct)
    {
        if (await backend.ExistsAsync(FileKind.Config, "config", ct))
            throw new VarlorException($"a repository already exists at {backend.Location}");
        await backend.CreateAsync(ct);
        var master = MasterKey.Generate();
        var config = RepositoryConfig.CreateNew();
        var keyName = await SaveKeyFileAsync(backend, KeyFile.Create(master, password), ct);
        using (var aead = master.CreateAead())
            await backend.SaveAsync(FileKind.Config, "config", aead.Seal(JsonSerializer.SerializeToUtf8Bytes(config, RepoJson.Options), ConfigAad), ct);
        return new Repository(backend, config, master, keyName);
    }

    public static Task<Repository> OpenAsync(IStorageBackend backend, string password, CancellationToken ct) =>
        OpenAsync(backend, () => password, ct);

    /// <summary>
    /// Opens a repository; <paramref name="password"/> is asked for only once the config was found, so that a
    /// wrong location is reported before any prompt without a request to check it first.
    /// </summary>
    public static async Task<Repository> OpenAsync(IStorageBackend backend, Func<string> password, CancellationToken ct)
    {
        byte[] sealedConfig;
        try
        {
            sealedConfig = await backend.ReadAsync(FileKind.Config, "config", ct);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            throw new RepositoryNotFoundException(backend.Location);
        }

        // The key derivation keeps one core busy for ~0.1 s: meanwhile, load the crypto and compression
        // libraries and the JSON metadata on another, so that short commands start sooner.
        _ = Task.Run(WarmUp, ct);
        var secret = password();
        await foreach (var (name, _) in backend.ListAsync(FileKind.Key, ct))
        {
            var keyFile = await LoadKeyFileAsync(backend, name, ct);
            var master = keyFile?.TryOpen(secret);
            if (master is null) continue;
            using var aead = master.CreateAead();
            var config = JsonSerializer.Deserialize<RepositoryConfig>(aead.Open(sealedConfig, ConfigAad, "config"), RepoJson.Options)
                ?? throw new CorruptDataException("config: empty");
            if (config.Version != RepositoryConfig.CurrentVersion)
                throw new VarlorException($"repository format version {config.Version} is not supported by this program (it reads version {RepositoryConfig.CurrentVersion})");
            config.Chunker.Validate();
            return new Repository(backend, config, master, name);
        }
        throw new WrongPasswordException();
    }

    private static void WarmUp()
    {
        try
        {
            Span<byte> key = stackalloc byte[32];
            using (var aead = new Aead(key)) aead.Seal([1, 2, 3], "warm-up"u8);
            HMACSHA256.HashData(key, key);
            SHA256.HashData(key);
            Span<byte> compressed = stackalloc byte[256];
            Zstd.Compress(key, compressed, 3);
            foreach (var type in new[] { typeof(IndexDocument), typeof(Tree), typeof(Snapshot) }) RepoJson.Options.GetTypeInfo(type);
        }
        catch (Exception)
        {
            // Only a warm-up: the real calls report real errors.
        }
    }

    private static async Task<KeyFile?> LoadKeyFileAsync(IStorageBackend backend, string name, CancellationToken ct)
    {
        var bytes = await backend.ReadAsync(FileKind.Key, name, ct);
        if (Convert.ToHexStringLower(SHA256.HashData(bytes)) != name) return null; // damaged key file: skip it
        try { return JsonSerializer.Deserialize<KeyFile>(bytes, RepoJson.Options); }
        catch (JsonException) { return null; }
    }

    private static async Task<string> SaveKeyFileAsync(IStorageBackend backend, KeyFile key, CancellationToken ct)
    {
        var bytes = JsonSerializer.SerializeToUtf8Bytes(key, RepoJson.Indented);
        var name = Convert.ToHexStringLower(SHA256.HashData(bytes));
        await backend.SaveAsync(FileKind.Key, name, bytes, ct);
        return name;
    }

    // ---- keys ----

    public Task<string> AddKeyAsync(string password, CancellationToken ct) =>
        SaveKeyFileAsync(Backend, KeyFile.Create(Key, password), ct);

    public async Task<List<(string Name, KeyFile? Key)>> ListKeysAsync(CancellationToken ct)
    {
        var result = new List<(string, KeyFile?)>();
        await foreach (var (name, _) in Backend.ListAsync(FileKind.Key, ct))
            result.Add((name, await LoadKeyFileAsync(Backend, name, ct)));
        return result;
    }

    public async Task RemoveKeyAsync(string name, CancellationToken ct)
    {
        if (name == KeyName) throw new VarlorException("cannot remove the key in use: open the repository with another password first");
        var keys = await ListKeysAsync(ct);
        if (!keys.Any(k => k.Name == name)) throw new VarlorException($"no key named {name}");
        await Backend.DeleteAsync(FileKind.Key, name, ct);
    }

    // ---- sealed files (index, snapshots) ----

    /// <summary>Seals and stores a file named by the SHA-256 of its stored bytes; returns the name.</summary>
    public async Task<BlobId> SaveSealedAsync(FileKind kind, ReadOnlyMemory<byte> plaintext, CancellationToken ct)
    {
        var sealedBytes = Aead.Seal(plaintext.Span, AadOf(kind));
        var id = BlobId.FromBytes(SHA256.HashData(sealedBytes));
        await Backend.SaveAsync(kind, id.ToString(), sealedBytes, ct);
        return id;
    }

    public async Task<byte[]> LoadSealedAsync(FileKind kind, BlobId id, CancellationToken ct)
    {
        var what = $"{kind.ToString().ToLowerInvariant()} {id.Short}";
        byte[] bytes;
        try { bytes = await Backend.ReadAsync(kind, id.ToString(), ct); }
        catch (FileNotFoundException) { throw new CorruptDataException($"{what}: file is missing"); }
        if (BlobId.FromBytes(SHA256.HashData(bytes)) != id)
            throw new CorruptDataException($"{what}: content does not match its name (damaged file)");
        return Aead.Open(bytes, AadOf(kind), what);
    }

    private static byte[] AadOf(FileKind kind) => kind switch
    {
        FileKind.Index => IndexAad,
        FileKind.Snapshot => SnapshotAad,
        FileKind.Lock => LockAad,
        _ => throw new ArgumentOutOfRangeException(nameof(kind)),
    };

    public async Task<List<BlobId>> ListIdsAsync(FileKind kind, CancellationToken ct)
    {
        var ids = new List<BlobId>();
        await foreach (var (name, _) in Backend.ListAsync(kind, ct))
            if (BlobId.TryParse(name, out var id)) ids.Add(id);
        return ids;
    }

    // ---- index ----

    /// <summary>Index files already in <see cref="Index"/>: they are immutable, so a second load reads only new ones.</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<BlobId, bool> _loadedIndexes = new();

    /// <summary>Loads every index file not loaded yet into <see cref="Index"/>. Damaged index files are reported
    /// (on every call: they are never marked loaded), not trusted.</summary>
    public async Task<List<string>> LoadIndexAsync(CancellationToken ct)
    {
        var problems = new List<string>();
        var ids = (await ListIdsAsync(FileKind.Index, ct)).Where(id => !_loadedIndexes.ContainsKey(id)).ToList();
        await Parallel.ForEachAsync(ids, new ParallelOptions { CancellationToken = ct, MaxDegreeOfParallelism = 4 }, async (id, token) =>
        {
            try
            {
                Index.Add(await LoadIndexDocumentAsync(id, token));
                _loadedIndexes.TryAdd(id, true);
            }
            catch (CorruptDataException e)
            {
                lock (problems) problems.Add(e.Message);
            }
        });
        return problems;
    }

    public async Task<IndexDocument> LoadIndexDocumentAsync(BlobId id, CancellationToken ct)
    {
        var compressed = await LoadSealedAsync(FileKind.Index, id, ct);
        try
        {
            return JsonSerializer.Deserialize<IndexDocument>(Decompress(compressed, $"index {id.Short}"), RepoJson.Options)
                ?? throw new CorruptDataException($"index {id.Short}: empty");
        }
        catch (JsonException)
        {
            throw new CorruptDataException($"index {id.Short}: malformed content");
        }
    }

    public Task<BlobId> SaveIndexAsync(IndexDocument document, CancellationToken ct)
    {
        var json = JsonSerializer.SerializeToUtf8Bytes(document, RepoJson.Options);
        var buffer = new byte[Zstd.CompressBound(json.Length) + 4];
        System.Buffers.Binary.BinaryPrimitives.WriteInt32LittleEndian(buffer, json.Length);
        var n = Zstd.Compress(json, buffer.AsSpan(4), 3);
        return SaveSealedAsync(FileKind.Index, buffer.AsMemory(0, n + 4), ct);
    }

    /// <summary>Sealed compressed documents are prefixed with their raw length (4 bytes LE).</summary>
    private static byte[] Decompress(byte[] data, string what)
    {
        if (data.Length < 4) throw new CorruptDataException($"{what}: truncated");
        var length = System.Buffers.Binary.BinaryPrimitives.ReadInt32LittleEndian(data);
        if (length is < 0 or > 1 << 30) throw new CorruptDataException($"{what}: malformed length");
        var raw = new byte[length];
        Zstd.Decompress(data.AsSpan(4), raw);
        return raw;
    }

    /// <summary>Reads a pack's header from its tail (used to adopt packs no index names yet, and by check).</summary>
    public async Task<List<PackEntry>> ReadPackHeaderAsync(BlobId pack, long size, CancellationToken ct)
    {
        var name = pack.ToString();
        if (size < 4 + Aead.Overhead) throw new CorruptDataException($"pack {pack.Short}: too short ({size} bytes)");
        var lengthBytes = new byte[4];
        await Backend.ReadRangeAsync(FileKind.Pack, name, size - 4, lengthBytes, ct);
        var headerLength = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(lengthBytes);
        if (headerLength < Aead.Overhead || headerLength > size - 4)
            throw new CorruptDataException($"pack {pack.Short}: malformed header length");
        var sealedHeader = new byte[headerLength];
        var read = await Backend.ReadRangeAsync(FileKind.Pack, name, size - 4 - headerLength, sealedHeader, ct);
        if (read != headerLength) throw new CorruptDataException($"pack {pack.Short}: truncated");
        var header = Aead.Open(sealedHeader, PackFormat.HeaderAad, $"pack {pack.Short} header");
        return PackFormat.DecodeHeader(header, size - 4 - headerLength, pack.Short);
    }

    /// <summary>
    /// Indexes packs that no index file names (left by a killed backup or prune) from their headers, so their
    /// blobs are reused rather than stored again. Returns them, for the caller's next index file.
    /// </summary>
    public async Task<List<IndexPack>> AdoptUnindexedPacksAsync(Action<string, string>? warn, CancellationToken ct)
    {
        var adopted = new List<IndexPack>();
        await foreach (var (name, size) in Backend.ListAsync(FileKind.Pack, ct))
        {
            if (!BlobId.TryParse(name, out var pack) || Index.ContainsPack(pack)) continue;
            try
            {
                var entries = await ReadPackHeaderAsync(pack, size, ct);
                Index.AddPack(pack, entries);
                adopted.Add(IndexPack.From(pack, entries));
            }
            catch (CorruptDataException e)
            {
                warn?.Invoke(name, $"ignoring unindexed pack: {e.Message}");
            }
        }
        return adopted;
    }

    // ---- blobs ----

    private long _dataBytesRead;

    /// <summary>
    /// Plaintext bytes of data blobs read so far through this repository: the progress of a restore that streams
    /// a file to another program (db restore into pg_restore), which has no counter of its own.
    /// </summary>
    public long DataBytesRead => Interlocked.Read(ref _dataBytesRead);

    /// <summary>Reads, authenticates, decompresses and verifies one blob.</summary>
    public async Task<byte[]> ReadBlobAsync(BlobId id, BlobType type, CancellationToken ct)
    {
        if (!Index.TryGet(id, out var entry, out var pack) || entry.Type != type)
            throw new CorruptDataException($"{type.ToString().ToLowerInvariant()} blob {id.Short} is not in the index (lost data)");
        var sealedBytes = new byte[entry.Length];
        int read;
        try
        {
            read = await Backend.ReadRangeAsync(FileKind.Pack, pack.ToString(), entry.Offset, sealedBytes, ct);
        }
        catch (FileNotFoundException)
        {
            throw new CorruptDataException($"pack {pack.Short} is missing (needed for blob {id.Short})");
        }
        if (read != entry.Length) throw new CorruptDataException($"pack {pack.Short} is truncated (blob {id.Short})");
        var blob = OpenBlob(sealedBytes, id, type, entry.Compressed, entry.RawLength, pack);
        if (type == BlobType.Data) Interlocked.Add(ref _dataBytesRead, blob.Length);
        return blob;
    }

    /// <summary>
    /// Like <see cref="ReadBlobAsync"/>, into a buffer rented from <see cref="System.Buffers.ArrayPool{T}.Shared"/>
    /// that the caller returns: restores read every blob once, and fresh arrays of a MiB each would keep the
    /// garbage collector busy.
    /// </summary>
    public async Task<(byte[] Buffer, int Length)> ReadBlobPooledAsync(BlobId id, BlobType type, CancellationToken ct)
    {
        if (!Index.TryGet(id, out var entry, out var pack) || entry.Type != type)
            throw new CorruptDataException($"{type.ToString().ToLowerInvariant()} blob {id.Short} is not in the index (lost data)");
        var pool = System.Buffers.ArrayPool<byte>.Shared;
        var sealedBytes = pool.Rent((int)entry.Length);
        try
        {
            int read;
            try
            {
                read = await Backend.ReadRangeAsync(FileKind.Pack, pack.ToString(), entry.Offset, sealedBytes.AsMemory(0, (int)entry.Length), ct);
            }
            catch (FileNotFoundException)
            {
                throw new CorruptDataException($"pack {pack.Short} is missing (needed for blob {id.Short})");
            }
            if (read != entry.Length) throw new CorruptDataException($"pack {pack.Short} is truncated (blob {id.Short})");
            var blob = OpenBlobPooled(sealedBytes.AsSpan(0, (int)entry.Length), id, type, entry.Compressed, entry.RawLength, pack);
            if (type == BlobType.Data) Interlocked.Add(ref _dataBytesRead, blob.Length);
            return blob;
        }
        finally
        {
            pool.Return(sealedBytes);
        }
    }

    /// <summary>
    /// Authenticates, decompresses and verifies a sealed blob into a buffer rented from the shared pool (the
    /// caller returns it); every check of <see cref="OpenBlob"/>, without a fresh array per blob.
    /// </summary>
    public (byte[] Buffer, int Length) OpenBlobPooled(ReadOnlySpan<byte> sealedBytes, BlobId id, BlobType type, bool compressed, uint rawLength, BlobId pack)
    {
        var pool = System.Buffers.ArrayPool<byte>.Shared;
        var what = $"blob {id.Short} in pack {pack.Short}";
        if (sealedBytes.Length < Aead.Overhead) throw new CorruptDataException($"{what}: truncated ciphertext");
        var plainLength = sealedBytes.Length - Aead.Overhead;
        byte[]? plain = pool.Rent(Math.Max(plainLength, 1)), raw = null;
        try
        {
            Span<byte> aad = stackalloc byte[PackFormat.BlobAadSize];
            PackFormat.BlobAad(id, type, aad);
            Aead.Open(sealedBytes, plain.AsSpan(0, plainLength), aad, what);
            var result = plain;
            if (compressed)
            {
                raw = pool.Rent(Math.Max((int)rawLength, 1));
                Zstd.Decompress(plain.AsSpan(0, plainLength), raw.AsSpan(0, (int)rawLength));
                result = raw;
            }
            else if (plainLength != rawLength)
            {
                throw new CorruptDataException($"{what}: content does not match its id");
            }
            if (Key.ComputeId(result.AsSpan(0, (int)rawLength)) != id)
                throw new CorruptDataException($"{what}: content does not match its id");
            if (result == raw) raw = null; else plain = null; // handed to the caller
            return (result, (int)rawLength);
        }
        finally
        {
            if (plain is not null) pool.Return(plain);
            if (raw is not null) pool.Return(raw);
        }
    }

    public byte[] OpenBlob(ReadOnlySpan<byte> sealedBytes, BlobId id, BlobType type, bool compressed, uint rawLength, BlobId pack)
    {
        Span<byte> aad = stackalloc byte[PackFormat.BlobAadSize];
        PackFormat.BlobAad(id, type, aad);
        var what = $"blob {id.Short} in pack {pack.Short}";
        var plain = Aead.Open(sealedBytes, aad, what);
        if (compressed)
        {
            var raw = new byte[rawLength];
            Zstd.Decompress(plain, raw);
            plain = raw;
        }
        if (plain.Length != rawLength || Key.ComputeId(plain) != id)
            throw new CorruptDataException($"{what}: content does not match its id");
        return plain;
    }

    // ---- trees ----

    public async Task<Tree> LoadTreeAsync(BlobId id, CancellationToken ct)
    {
        var bytes = await ReadBlobAsync(id, BlobType.Tree, ct);
        Tree tree;
        try
        {
            tree = JsonSerializer.Deserialize<Tree>(bytes, RepoJson.Options) ?? throw new JsonException();
        }
        catch (JsonException)
        {
            throw new CorruptDataException($"tree {id.Short}: malformed content");
        }
        tree.Validate(id.Short);
        return tree;
    }

    public static byte[] EncodeTree(Tree tree) => JsonSerializer.SerializeToUtf8Bytes(tree, RepoJson.Options);

    // ---- snapshots ----

    public async Task<BlobId> SaveSnapshotAsync(Snapshot snapshot, CancellationToken ct) =>
        await SaveSealedAsync(FileKind.Snapshot, JsonSerializer.SerializeToUtf8Bytes(snapshot, RepoJson.Options), ct);

    public async Task<Snapshot> LoadSnapshotAsync(BlobId id, CancellationToken ct)
    {
        var bytes = await LoadSealedAsync(FileKind.Snapshot, id, ct);
        try
        {
            var s = JsonSerializer.Deserialize<Snapshot>(bytes, RepoJson.Options) ?? throw new JsonException();
            return s with { Id = id };
        }
        catch (JsonException)
        {
            throw new CorruptDataException($"snapshot {id.Short}: malformed content");
        }
    }

    /// <summary>All snapshots, oldest first. A damaged snapshot file is reported through <paramref name="problems"/>.</summary>
    public async Task<List<Snapshot>> LoadSnapshotsAsync(CancellationToken ct, List<string>? problems = null)
    {
        var result = new List<Snapshot>();
        foreach (var id in await ListIdsAsync(FileKind.Snapshot, ct))
        {
            try { result.Add(await LoadSnapshotAsync(id, ct)); }
            catch (CorruptDataException e) when (problems is not null) { problems.Add(e.Message); }
        }
        result.Sort((a, b) => a.Time != b.Time ? a.Time.CompareTo(b.Time) : a.Id.CompareTo(b.Id));
        return result;
    }

    /// <summary>Resolves "latest", a full id, or a unique prefix of at least 4 hex digits.</summary>
    public async Task<Snapshot> FindSnapshotAsync(string reference, CancellationToken ct)
    {
        if (reference == "latest")
        {
            var all = await LoadSnapshotsAsync(ct);
            return all.Count > 0 ? all[^1] : throw new VarlorException("the repository has no snapshots yet");
        }
        if (reference.Length < 4 || !reference.All(char.IsAsciiHexDigitLower))
            throw new VarlorException($"'{reference}' is not a snapshot id: use 'latest', an id, or at least 4 of its first hex digits");
        var matches = (await ListIdsAsync(FileKind.Snapshot, ct)).Where(i => i.ToString().StartsWith(reference, StringComparison.Ordinal)).ToList();
        return matches.Count switch
        {
            0 => throw new VarlorException($"no snapshot matches '{reference}'"),
            1 => await LoadSnapshotAsync(matches[0], ct),
            _ => throw new VarlorException($"'{reference}' matches {matches.Count} snapshots ({string.Join(", ", matches.Take(5).Select(m => m.Short))}...): give more digits"),
        };
    }

    public void Dispose()
    {
        foreach (var a in _aead.Values) a.Dispose();
        _aead.Dispose();
    }
}
