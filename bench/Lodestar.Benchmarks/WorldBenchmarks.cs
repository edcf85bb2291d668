// Speed of world generation and of reading it back: `dotnet run -c Release --project bench/Lodestar.Benchmarks
// -- --filter '*World*'`. Events/s = events of the generated world (printed once in GlobalSetup) / mean time.
// `lodestar world generate --json` reports events_per_s for full-size runs.
using BenchmarkDotNet.Attributes;
using Lodestar.Data.Generation;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Lodestar.Data.Vocabularies;

namespace Lodestar.Benchmarks;

[MemoryDiagnoser]
public class WorldBenchmarks
{
    private readonly WorldVocabulary _vocabulary = BuiltInVocabulary.Create();
    private string _directory = "";
    private WorldConfig _config = new();

    [Params(20_000)]
    public int Members { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("lodestar-bench-world-").FullName;
        _config = new WorldConfig { Seed = 1, Members = Members, Days = 10 };
        var report = WorldGenerator.Generate(_config, _vocabulary, _directory);
        Console.WriteLine($"// world: {Members} members, {_config.Days} days, {report.Events} events");
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    [Benchmark(Description = "generate world (members, jobs, posts, events, truth)")]
    public long Generate() => WorldGenerator.Generate(_config, _vocabulary, _directory).Events;

    [Benchmark(Description = "read feed_impressions.jsonl")]
    public long ReadImpressions()
    {
        long clicks = 0;
        foreach (var impression in JsonlReader.Read(Path.Combine(_directory, DataFiles.FeedImpressions), DataJson.Compact.FeedImpression))
        {
            clicks += impression.Click ? 1 : 0;
        }
        return clicks;
    }
}
