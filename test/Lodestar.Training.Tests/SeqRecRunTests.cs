// A run end to end on small files: run.json records config, provenance, epochs and test metrics; a run
// refuses data whose hash differs; recommendations skip history; configs name bad fields.
using Lodestar.Evaluation;
using Lodestar.TestSupport;
using Lodestar.Training.Loop;
using Lodestar.Training.SeqRec;
using Lodestar.Features.SeqRec;

namespace Lodestar.Training.Tests;

public sealed class SeqRecRunTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-seqrec-run-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    // 60 users walking a 20-item cycle: the next item is determined by the last one.
    private string CycleFile(string name, int users = 60)
    {
        var random = new Random(9);
        var lines = Enumerable.Range(1, users).Select(u =>
        {
            var start = random.Next(20);
            return $"{u} " + string.Join(' ', Enumerable.Range(0, 6).Select(i => 1 + ((start + i) % 20)));
        });
        var path = Path.Combine(_directory, name);
        File.WriteAllLines(path, lines);
        return path;
    }

    [Fact]
    public async Task TrainWritesAFinishedRunRecord()
    {
        var data = SeqRecData.Load(CycleFile("cycle.txt"));
        var run = Path.Combine(_directory, "run");
        var config = new SeqRecConfig { Model = SeqRecModelKind.Cooc, Seed = 3 };
        var record = SeqRecRun.Train(config, data, run);
        var read = RunRecord<SeqRecConfig>.Read(run);
        Assert.Equal(RunStatus.Finished, read.Status);
        Assert.Equal(StopReason.Fitted, read.StopReason);
        Assert.Equal("seqrec.cooc", read.Task);
        Assert.Equal(config, read.Config);
        var input = read.Data.Input(SeqRecRun.SequencesInput);
        Assert.Equal((data.Provenance.File, data.Provenance.Sha256, new FileInfo(data.Provenance.File).Length), (input.Path, input.Sha256, input.Bytes!.Value));
        Assert.Equal(data.Provenance.Users, read.Data.Counts["users"]);
        Assert.Equal(1, read.BestEpoch);
        Assert.Single(read.Epochs);
        Assert.True(read.Config.Evaluation.ExcludeHistory);
        Assert.Equal(RankingMetrics.Keys, read.Test!.Keys);
        Assert.Equal(1.0, record.Test!["hr@10"], 12);
        Assert.False(File.Exists(Path.Combine(run, RunRecord<SeqRecConfig>.FileName + ".tmp")));
        // The run's page shows the test figures under their keys, with a JSON of the same record beside it.
        var html = File.ReadAllText(Path.Combine(run, RunReport.FileName));
        Assert.Contains("<svg", html, StringComparison.Ordinal);
        Assert.Contains("ndcg@10", html, StringComparison.Ordinal);
        Assert.Equal(File.ReadAllText(Path.Combine(run, RunRecord<SeqRecConfig>.FileName)), File.ReadAllText(Path.Combine(run, "report.json")));
        Assert.Empty(await Lodestar.TestSupport.ReportInChromium.Problems(Path.Combine(run, RunReport.FileName)));
    }

    [Fact]
    public void LoadingARunOnOtherDataIsRefused()
    {
        var data = SeqRecData.Load(CycleFile("a.txt"));
        var run = Path.Combine(_directory, "run-a");
        SeqRecRun.Train(new SeqRecConfig { Model = SeqRecModelKind.Popular }, data, run);
        var other = SeqRecData.Load(CycleFile("b.txt", users: 61));
        var error = Assert.Throws<ArgumentException>(() => SeqRecRun.LoadModel(run, RunRecord<SeqRecConfig>.Read(run), other));
        Assert.Contains("sha256", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void RecommendationsFollowTheCycleAndSkipHistory()
    {
        var data = SeqRecData.Load(CycleFile("c.txt"));
        var model = SeqRecRun.FitBaseline(new SeqRecConfig { Model = SeqRecModelKind.Cooc }, data);
        var user = 0;
        var sequence = data.Sequences[user];
        var (items, scores) = TopKRecommender.Recommend(model, data.Sequences[user], k: 5, excludeHistory: true);
        Assert.Equal(1 + (sequence[^1] % 20), items[0]);
        Assert.DoesNotContain(items, sequence.Contains);
        Assert.True(scores.SequenceEqual(scores.OrderDescending()));
    }

    [Fact]
    public void ConfigFilesRejectUnknownFieldsAndBadValues()
    {
        var typo = Path.Combine(_directory, "typo.json");
        File.WriteAllText(typo, "{ \"model\": \"cooc\", \"cooc\": { \"windw\": 2 } }");
        var error = Assert.Throws<InvalidDataException>(() => SeqRecConfig.Load(typo));
        Assert.Contains("windw", error.Message, StringComparison.Ordinal);
        var bad = Path.Combine(_directory, "bad.json");
        File.WriteAllText(bad, "{ \"cooc\": { \"window\": 0 } }");
        error = Assert.Throws<InvalidDataException>(() => SeqRecConfig.Load(bad));
        Assert.Contains("CooccurrenceConfig.Window", error.Message, StringComparison.Ordinal);
        Assert.Contains(bad, error.Message, StringComparison.Ordinal);
        var good = Path.Combine(_directory, "good.json");
        File.WriteAllText(good, "{ \"model\": \"popular\", \"seed\": 7, \"evaluation\": { \"exclude_history\": false } }");
        var config = SeqRecConfig.Load(good);
        Assert.Equal(7, config.Seed);
        Assert.False(config.Evaluation.ExcludeHistory);
    }

    [SharedDataFact("seqrec-amazon/Beauty.txt")]
    public void MostPopularOnBeautyIsBetweenChanceAndItsCoverageBound()
    {
        var data = SeqRecData.Load(RepoPaths.SharedDataFile("seqrec-amazon/Beauty.txt"));
        var config = new SeqRecConfig { Model = SeqRecModelKind.Popular };
        var model = SeqRecRun.FitBaseline(config, data);
        var report = SeqRecRun.Evaluate(model, data.Test, config.Evaluation, "test", null);
        // Chance: a random ranking puts the target in the top 10 with probability about 10 / items.
        var chance = 10.0 / data.ItemCount;
        // Bound: popularity can only hit a target that is among the 10 + |history| most popular items
        // (at most |history| of those are excluded for the user).
        var counts = new int[data.ItemCount + 1];
        foreach (var sequence in data.Training)
        {
            foreach (var item in sequence.Span)
            {
                counts[item]++;
            }
        }
        var byPopularity = Enumerable.Range(1, data.ItemCount).OrderByDescending(i => counts[i]).ToArray();
        var bound = data.Test.Count(c => byPopularity.AsSpan(0, 10 + c.History.Length).Contains(c.Target)) / (double)data.Test.Count;
        Assert.InRange(report["hr@10"], 5 * chance, bound);
        // And a sequential signal exists: co-occurrence of recent items beats popularity on the same cases.
        var cooc = SeqRecRun.FitBaseline(config with { Model = SeqRecModelKind.Cooc }, data);
        var coocReport = SeqRecRun.Evaluate(cooc, data.Test, config.Evaluation, "test", null);
        Assert.True(coocReport["ndcg@10"] > 2 * report["ndcg@10"], $"cooc {coocReport["ndcg@10"]} vs popular {report["ndcg@10"]}");
    }
}
