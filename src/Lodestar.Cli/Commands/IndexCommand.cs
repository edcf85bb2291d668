// `lodestar index build|search|stats|bench`: builds a durable exact index from an embeddings file (.npy, or a
// safetensors tensor with optional ids and creation times), searches it by item id or by vector with filters,
// reports its size, and times it.
using System.CommandLine;
using System.Globalization;
using Lodestar.Bench;
using Lodestar.Index;
using Lodestar.Tensors.Serialization;
using Spectre.Console;

namespace Lodestar.Cli;

public static class IndexCommand
{
    public static Command Create(BenchOutput output)
    {
        var command = new Command("index", "Exact nearest-neighbour index over embeddings: build, search, stats, bench.");
        command.Subcommands.Add(CreateBuild());
        command.Subcommands.Add(CreateSearch());
        command.Subcommands.Add(CreateStats());
        command.Subcommands.Add(CreateFill());
        command.Subcommands.Add(IndexBench.Create(output, "bench"));
        return command;
    }

    private static Option<DirectoryInfo> IndexOption() => new("--index") { Description = "Index folder (index.lsix and index.log).", Required = true };

    private static Command CreateBuild()
    {
        var embeddings = new Option<FileInfo>("--embeddings") { Description = "A (N, D) float32 matrix: a .npy file, or a .safetensors file (see --tensor).", Required = true };
        var tensor = new Option<string>("--tensor") { Description = "Safetensors: the (N, D) F32 tensor of vectors.", DefaultValueFactory = _ => "embeddings" };
        var idsTensor = new Option<string>("--ids-tensor") { Description = "Safetensors: an (N) I64 tensor of item ids, if present (else ids are row numbers).", DefaultValueFactory = _ => "ids" };
        var timesTensor = new Option<string>("--created-tensor") { Description = "Safetensors: an (N) I64 tensor of creation times, if present (else 0).", DefaultValueFactory = _ => "created_at" };
        var output = IndexOption();
        var json = CliJson.CreateOption();
        var command = new Command("build", "Build (or add to) a durable index from an embeddings file, then checkpoint it.");
        foreach (var option in new Option[] { embeddings, tensor, idsTensor, timesTensor, output, json })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var clock = System.Diagnostics.Stopwatch.StartNew();
            var (ids, vectors, created, dimension) = ReadEmbeddings(parse.GetValue(embeddings)!.FullName, parse.GetValue(tensor)!, parse.GetValue(idsTensor)!, parse.GetValue(timesTensor)!);
            var directory = parse.GetValue(output)!.FullName;
            using var index = DurableIndex.Open(directory, dimension);
            const int Batch = 10_000;
            var progress = Core.Progress.ProgressReporter.ForStandardError();
            progress.Start("indexing vectors", ids.Length);
            for (var first = 0; first < ids.Length; first += Batch)
            {
                var n = Math.Min(Batch, ids.Length - first);
                index.UpsertBatch(ids.AsSpan(first, n), vectors.AsSpan(first * dimension, n * dimension), created.AsSpan(first, n));
                progress.Report(first + n);
            }
            index.Checkpoint();
            var result = new { Index = directory, Items = index.Index.Count, Dimension = dimension, Added = ids.Length, Seconds = Math.Round(clock.Elapsed.TotalSeconds, 3) };
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(result);
            }
            else
            {
                Console.Out.WriteLine($"indexed {result.Added:N0} vectors of D = {dimension}: {result.Items:N0} items in {directory} ({result.Seconds} s)");
            }
            return 0;
        });
        return command;
    }

    private static Command CreateSearch()
    {
        var index = IndexOption();
        var id = new Option<long?>("--id") { Description = "Search with the stored vector of this item (the item itself is excluded)." };
        var vector = new Option<string?>("--vector") { Description = "Search with this vector: D comma-separated numbers." };
        var k = new Option<int>("--k") { Description = "Results.", DefaultValueFactory = _ => 10 };
        var exclude = new Option<string?>("--exclude") { Description = "Comma-separated ids never returned (e.g. posts already seen)." };
        var minCreated = new Option<long?>("--min-created") { Description = "Only items created at or after this time." };
        var int8 = new Option<bool>("--int8") { Description = "Approximate: the best of the k·r int8 candidates rescored in float32, without the proof that makes the default search exact." };
        var rescore = new Option<int>("--rescore") { Description = "The factor r of the k·r int8 candidates rescored in float32 (the exact search proves its answer from them, or scans float32).", DefaultValueFactory = _ => FlatIndex.DefaultRescore };
        var json = CliJson.CreateOption();
        var command = new Command("search", "Top-k items by cosine similarity to an item or a vector, with filters (reads the folder beside a running writer).");
        foreach (var option in new Option[] { index, id, vector, k, exclude, minCreated, int8, rescore, json })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var directory = parse.GetValue(index)!.FullName;
            using var flat = DurableIndex.OpenReadOnly(directory);
            var query = new float[flat.Dimension];
            var excluded = ParseIds(parse.GetValue(exclude), "--exclude");
            if (parse.GetValue(id) is { } itemId)
            {
                if (!flat.TryGetVector(itemId, query))
                {
                    throw new ArgumentException($"--id {itemId}: no such item in {directory}");
                }
                excluded.Add(itemId);
            }
            else if (parse.GetValue(vector) is { } text)
            {
                var values = text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                if (values.Length != flat.Dimension)
                {
                    throw new ArgumentException($"--vector has {values.Length} numbers, the index has D = {flat.Dimension}");
                }
                for (var d = 0; d < values.Length; d++)
                {
                    query[d] = float.TryParse(values[d], NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v
                        : throw new ArgumentException($"--vector: element {d}, '{values[d]}', is not a number");
                }
            }
            else
            {
                throw new ArgumentException("give --id or --vector");
            }
            var filter = new SearchFilter { ExcludeIds = excluded.Count > 0 ? excluded : null, MinCreatedAt = parse.GetValue(minCreated) };
            var hits = new SearchHit[Math.Max(1, parse.GetValue(k))];
            var found = parse.GetValue(int8)
                ? flat.SearchInt8(query, parse.GetValue(k), hits, filter, parse.GetValue(rescore))
                : flat.SearchExact(query, parse.GetValue(k), hits, filter, parse.GetValue(rescore));
            if (parse.GetValue(json))
            {
                foreach (var hit in hits.AsSpan(0, found))
                {
                    CliJson.WriteLine(new { hit.Id, hit.Score });
                }
                return 0;
            }
            var table = new Table().AddColumns("rank", "id", "cosine");
            for (var i = 0; i < found; i++)
            {
                table.AddRow((i + 1).ToString(CultureInfo.InvariantCulture), hits[i].Id.ToString(CultureInfo.InvariantCulture), hits[i].Score.ToString("F4", CultureInfo.InvariantCulture));
            }
            AnsiConsole.Write(table);
            return 0;
        });
        return command;
    }

    private static Command CreateStats()
    {
        var index = IndexOption();
        var json = CliJson.CreateOption();
        var command = new Command("stats", "Items, dimension, rows awaiting compaction and file sizes of an index.");
        command.Options.Add(index);
        command.Options.Add(json);
        command.SetAction(parse =>
        {
            var directory = parse.GetValue(index)!.FullName;
            using var flat = DurableIndex.OpenReadOnly(directory);
            var snapshot = new FileInfo(Path.Combine(directory, DurableIndex.SnapshotFile));
            var log = new FileInfo(Path.Combine(directory, DurableIndex.LogFile));
            var stats = new
            {
                Index = directory,
                Items = flat.Count,
                flat.Dimension,
                flat.Rows,
                SnapshotBytes = snapshot.Exists ? snapshot.Length : 0,
                LogBytes = log.Exists ? log.Length : 0,
            };
            if (parse.GetValue(json))
            {
                CliJson.WriteLine(stats);
            }
            else
            {
                Console.Out.WriteLine($"{stats.Index}: {stats.Items:N0} items of D = {stats.Dimension} ({stats.Rows:N0} rows), snapshot {stats.SnapshotBytes:N0} bytes, log {stats.LogBytes:N0} bytes");
            }
            return 0;
        });
        return command;
    }

    private static Command CreateFill()
    {
        var index = IndexOption();
        var dimension = new Option<int>("--dim") { Description = "Vector length D of a new index.", DefaultValueFactory = _ => 64 };
        var count = new Option<int>("--count") { Description = "Vectors to upsert (ids 0..count-1).", DefaultValueFactory = _ => 100_000 };
        var batch = new Option<int>("--batch") { Description = "Vectors per acknowledged batch.", DefaultValueFactory = _ => 1_000 };
        var checkpointEvery = new Option<int>("--checkpoint-every") { Description = "Batches between checkpoints (0: never).", DefaultValueFactory = _ => 0 };
        var seed = new Option<ulong>("--seed") { Description = "Seed of the random unit vectors.", DefaultValueFactory = _ => 1 };
        var pause = new Option<int>("--pause-ms") { Description = "Sleep after each acknowledgement, so a crash test can kill the writer right then.", DefaultValueFactory = _ => 0 };
        var command = new Command("fill", "Upsert seeded random vectors in batches, printing a line as each batch is acknowledged (a load and crash-test writer).");
        foreach (var option in new Option[] { index, dimension, count, batch, checkpointEvery, seed, pause })
        {
            command.Options.Add(option);
        }
        command.SetAction(parse =>
        {
            var d = parse.GetValue(dimension);
            var n = parse.GetValue(count);
            var size = parse.GetValue(batch);
            var every = parse.GetValue(checkpointEvery);
            if (d < 1 || n < 0 || size < 1 || every < 0)
            {
                throw new ArgumentException("--dim and --batch must be positive, --count and --checkpoint-every not negative");
            }
            using var durable = DurableIndex.Open(parse.GetValue(index)!.FullName, d);
            var random = new Core.SeededRandom(parse.GetValue(seed));
            var vectors = new float[size * d];
            var ids = new long[size];
            var created = new long[size];
            var batches = 0;
            for (var first = 0; first < n; first += size)
            {
                var m = Math.Min(size, n - first);
                random.FillNormal(vectors.AsSpan(0, m * d), 1f);
                for (var i = 0; i < m; i++)
                {
                    ids[i] = first + i;
                }
                durable.UpsertBatch(ids.AsSpan(0, m), vectors.AsSpan(0, m * d), created.AsSpan(0, m));
                Console.Out.WriteLine($"acknowledged {first + m}");
                Console.Out.Flush();
                if (parse.GetValue(pause) > 0)
                {
                    Thread.Sleep(parse.GetValue(pause));
                }
                if (every > 0 && ++batches % every == 0)
                {
                    durable.Checkpoint();
                }
            }
            return 0;
        });
        return command;
    }

    /// <summary>Opens an index folder that must already hold a snapshot (its dimension is read from it).</summary>
    private static HashSet<long> ParseIds(string? text, string option) =>
        text is null ? [] : [.. text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries)
            .Select(t => long.TryParse(t, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v) ? v : throw new ArgumentException($"{option}: '{t}' is not an id"))];

    private static (long[] Ids, float[] Vectors, long[] Created, int Dimension) ReadEmbeddings(string path, string tensor, string idsTensor, string timesTensor)
    {
        if (path.EndsWith(".npy", StringComparison.OrdinalIgnoreCase))
        {
            var (rows, columns, values) = NpyMatrix.Read(path);
            return ([.. Enumerable.Range(0, rows).Select(i => (long)i)], values, new long[rows], columns);
        }
        using var file = SafeTensorsFile.Read(path);
        if (!file.Contains(tensor))
        {
            throw new ArgumentException($"{path}: no tensor '{tensor}' (it has {string.Join(", ", file.Entries.Select(e => e.Name))}); name it with --tensor");
        }
        var entry = file[tensor];
        if (entry.Shape.Count != 2)
        {
            throw new ArgumentException($"{path}: tensor '{tensor}' has shape [{string.Join(", ", entry.Shape)}], not (N, D)");
        }
        var n = (int)entry.Shape[0];
        var vectors = file.ToFloat32Array(tensor);
        var ids = file.Contains(idsTensor) ? Column(file, path, idsTensor, n) : [.. Enumerable.Range(0, n).Select(i => (long)i)];
        var created = file.Contains(timesTensor) ? Column(file, path, timesTensor, n) : new long[n];
        return (ids, vectors, created, (int)entry.Shape[1]);
    }

    private static long[] Column(SafeTensorsFile file, string path, string name, int rows)
    {
        var entry = file[name];
        if (entry.Shape.Count != 1 || entry.Shape[0] != rows || entry.DType != SafeTensorsDType.I64)
        {
            throw new ArgumentException($"{path}: tensor '{name}' must be I64 of shape ({rows}), is {entry.DType} [{string.Join(", ", entry.Shape)}]");
        }
        return file.GetInt64(name).ToArray();
    }
}
