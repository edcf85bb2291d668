// Per-user cost of full-ranking evaluation and serving over a Beauty-sized vocabulary (12,101 items):
// the rank of a held-out item by counting, and top-10 by partial selection, against a full sort.
using BenchmarkDotNet.Attributes;
using Lodestar.Models;

namespace Lodestar.Benchmarks;

[MemoryDiagnoser]
public class SeqRecBenchmarks
{
    private float[] _row = [];
    private float[] _sortKeys = [];
    private int[] _sortItems = [];
    private readonly int[] _top = new int[10];
    private readonly float[] _topScores = new float[10];

    [Params(12101)]
    public int Items { get; set; }

    [GlobalSetup]
    public void Setup()
    {
        var random = new Random(1);
        _row = Enumerable.Range(0, Items + 1).Select(_ => (float)random.NextDouble()).ToArray();
        _sortKeys = new float[Items];
        _sortItems = new int[Items];
    }

    [Benchmark]
    public int PessimisticRank() => ScoreRow.PessimisticRank(_row, Items / 2);

    [Benchmark]
    public int TopTen() => ScoreRow.TopK(_row, _top, _topScores);

    /// <summary>The reference: sort the whole row (what a naive evaluator does per user).</summary>
    [Benchmark(Baseline = true)]
    public int FullSortTopTen()
    {
        for (var i = 0; i < Items; i++)
        {
            _sortKeys[i] = -_row[i + 1];
            _sortItems[i] = i + 1;
        }
        Array.Sort(_sortKeys, _sortItems);
        return _sortItems[0];
    }
}
