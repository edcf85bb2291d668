// BenchmarkDotNet: the embedded policy scorer on pairs from a small generated world (target ≥ 50,000
// pairs/s on one thread, zero allocation per pair). `lodestar policy bench` measures the same quickly.
using BenchmarkDotNet.Attributes;
using Lodestar.Data.Generation;
using Lodestar.Data.Schema;
using Lodestar.Data.Vocabularies;
using Lodestar.Policy;
using Lodestar.Policy.Labeling;
using Lodestar.Text.Prompts;

namespace Lodestar.Benchmarks;

[MemoryDiagnoser]
public class PolicyScorerBenchmarks
{
    private const int Pairs = 4096;
    private CompiledPolicy<Member, Job> _policy = null!;
    private MatchPair[] _pairs = [];
    private int[] _scores = [];
    private string _directory = "";

    [GlobalSetup]
    public void Setup()
    {
        _directory = Directory.CreateTempSubdirectory("lodestar-bench-policy-").FullName;
        WorldGenerator.Generate(new WorldConfig { Seed = 1, Members = 2000, Days = 2 }, BuiltInVocabulary.Create(), _directory);
        var world = WorldSnapshot.Load(_directory);
        var members = world.Members.Values.OrderBy(m => m.Id).ToArray();
        var jobs = world.Jobs.Values.OrderBy(j => j.Id).ToArray();
        var random = new Random(1);
        _pairs = Enumerable.Range(0, Pairs).Select(_ => new MatchPair(members[random.Next(members.Length)], jobs[random.Next(jobs.Length)])).ToArray();
        _policy = PolicyLoader.LoadJobPolicy();
        _scores = new int[_policy.DimensionCount];
    }

    [GlobalCleanup]
    public void Cleanup() => Directory.Delete(_directory, recursive: true);

    /// <summary>Scores 4,096 pairs; pairs/s = 4096 / mean time.</summary>
    [Benchmark(OperationsPerInvoke = Pairs)]
    public double ScoreJobPolicy()
    {
        var total = 0.0;
        foreach (var pair in _pairs)
        {
            total += _policy.Score(pair.Member, pair.Job, _scores);
        }
        return total;
    }
}
