// BenchmarkDotNet: byte-level BPE encoding speed on real English news text (../shared/data/mind-sample
// when present, else a built-in multilingual sample), warm word cache against no cache, and the
// .NET Regex GPT-2 pattern as the pre-tokenization reference.
using System.Text;
using System.Text.RegularExpressions;
using BenchmarkDotNet.Attributes;
using Lodestar.Text.Tokenization;

namespace Lodestar.Benchmarks;

[MemoryDiagnoser]
public class TokenizerBenchmarks
{
    private static readonly Regex Gpt2Pattern = new(@"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+", RegexOptions.Compiled | RegexOptions.CultureInvariant);

    private readonly List<int> ids = new(1 << 16);
    private string[] lines = [];
    private BpeTokenizer warm = null!;
    private BpeTokenizer cold = null!;

    /// <summary>UTF-8 bytes encoded per invocation (divide by the mean time for MB/s).</summary>
    public long Bytes { get; private set; }

    [GlobalSetup]
    public void Setup()
    {
        lines = LoadLines();
        Bytes = lines.Sum(l => (long)Encoding.UTF8.GetByteCount(l));
        var trainer = new BpeTrainer(new BpeTrainerConfig { VocabSize = 8192 });
        foreach (var line in lines)
        {
            trainer.AddText(line);
        }
        warm = trainer.Train();
        cold = warm.WithCacheCapacity(0);
        Console.WriteLine($"// corpus: {lines.Length} lines, {Bytes} UTF-8 bytes");
    }

    [Benchmark(Baseline = true, Description = "encode, word cache")]
    public long EncodeWarm() => EncodingThroughput.EncodeAll(warm, lines, ids);

    [Benchmark(Description = "encode, no cache")]
    public long EncodeCold() => EncodingThroughput.EncodeAll(cold, lines, ids);

    [Benchmark(Description = "pre-tokenize, hand-written")]
    public int PreTokenize()
    {
        var pieces = 0;
        foreach (var line in lines)
        {
            var rest = line.AsSpan();
            while (!rest.IsEmpty)
            {
                rest = rest[ByteLevelPreTokenizer.NextLength(rest)..];
                pieces++;
            }
        }
        return pieces;
    }

    [Benchmark(Description = "pre-tokenize, .NET Regex (reference)")]
    public int PreTokenizeRegex()
    {
        var pieces = 0;
        foreach (var line in lines)
        {
            foreach (var _ in Gpt2Pattern.EnumerateMatches(line))
            {
                pieces++;
            }
        }
        return pieces;
    }

    private static string[] LoadLines()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var news = Path.Combine(dir.FullName, "..", "shared", "data", "mind-sample", "news.tsv");
            if (File.Exists(Path.Combine(dir.FullName, "Lodestar.slnx")) && File.Exists(news))
            {
                // Title and abstract columns of MIND news.tsv.
                return [.. File.ReadLines(news).Select(l => l.Split('\t')).Where(p => p.Length > 4).SelectMany(p => new[] { p[3], p[4] }).Where(t => t.Length > 0)];
            }
        }
        return [.. Enumerable.Repeat(Fallback, 200).SelectMany(t => t)];
    }

    private static readonly string[] Fallback =
    [
        "Senior data engineer with ten years of experience building streaming pipelines in Scala and Python.",
        "We're hiring a machine learning engineer to work on ranking, retrieval and recommendation systems.",
        "Ingénieure logicielle à Zürich: développement d'applications, qualité et café crème.",
        "東京で働くソフトウェアエンジニア。機械学習と検索の経験があります。",
        "Great post! 🚀🔥 Congrats to the whole team 👏👏 #hiring #ml",
    ];
}
