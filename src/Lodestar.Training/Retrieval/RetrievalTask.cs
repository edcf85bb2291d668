// The dual encoder in the one training loop: one shared encoder embeds members and items (feed posts or jobs;
// mean-pooled, L2 normalised), InfoNCE over each batch's candidate set (every member's positive, hard and easy
// negatives, each item once, a member's other positives masked), and recall@K of held-out engagements among every item
// created by that day, by an exact index of that day's items, to pick the best epoch; the test also scores popularity
// and, in a generated world, a ranking by the world's truth: the references a retriever is read against.
using Lodestar.Core;
using Lodestar.Core.Progress;
using Lodestar.Evaluation;
using Lodestar.Evaluation.Retrieval;
using Lodestar.Features.Retrieval;
using Lodestar.Index;
using Lodestar.Models.Bert;
using Lodestar.Nn;
using Lodestar.Nn.Optim;
using Lodestar.Policy.Agreement;
using Lodestar.Tensors;
using Lodestar.Training.Loop;

namespace Lodestar.Training.Retrieval;

public sealed class RetrievalTask : ITrainingTask<List<RetrievalExample>>
{
    private const int EmbedBatch = 64;

    // Posts of the test drawn on the report's popularity–similarity scatter, spread evenly over every (post, day) scored.
    private const int ScatterPoints = 2_000;

    private readonly RetrievalConfig _config;
    private readonly IRetrievalLog _log;
    private readonly IRetrievalPrompts _prompts;
    private readonly EasyNegativeSampler _sampler;
    private readonly BertModel _model;
    private readonly RetrievalTeacher? _teacher;
    private readonly TruthReference? _truth;
    private readonly List<RetrievalExample> _train;
    private readonly List<RetrievalExample> _validation;
    private readonly List<RetrievalExample> _test;
    private ReportSections? _testReport;

    /// <param name="model">The shared encoder: built from config.Model, or a pretrained one to fine-tune.</param>
    /// <param name="teacher">A trained run whose candidate distribution the student also learns (config.DistillWeight), or null.</param>
    /// <param name="truth">The ranking by the world's truth tested beside the model; null when the world has none.</param>
    public RetrievalTask(RetrievalConfig config, IRetrievalLog log, IRetrievalPrompts prompts, BertModel model, IReadOnlyList<RetrievalExample> examples,
        RetrievalTeacher? teacher = null, TruthReference? truth = null)
    {
        _teacher = teacher;
        _truth = truth;
        _config = config;
        _log = log;
        _prompts = prompts;
        _sampler = new EasyNegativeSampler(log);
        _model = model;
        Optimizer = new AdamW(_model.Parameters(), new AdamWConfig { LearningRate = config.Training.LearningRate, WeightDecay = config.Training.WeightDecay });
        _train = [.. examples.Where(e => e.Split == RetrievalSplit.Train)];
        _validation = Held(examples, RetrievalSplit.Validation);
        _test = Held(examples, RetrievalSplit.Test);
        if (_train.Count == 0 || _validation.Count == 0)
        {
            throw new InvalidOperationException($"{_train.Count} training and {_validation.Count} validation member-days with an engagement: the feed log is too small");
        }
        BatchesPerEpoch = (_train.Count + config.Training.BatchSize - 1) / config.Training.BatchSize;
    }

    public Module Model => _model;

    public AdamW Optimizer { get; }

    public string CheckpointKind => BertModel.Kind;

    public SelectionMetric Selection { get; } = new(MetricNames.Recall(100), HigherIsBetter: true);

    public int BatchesPerEpoch { get; }

    public SeededRandom EpochRandom(int epoch) => EpochBatches.Random(_config.Seed, epoch);

    public IReadOnlyList<List<RetrievalExample>> Batches(int epoch, SeededRandom random) => EpochBatches.Shuffled(_train, _config.Training.BatchSize, random);

    public (Tensor Loss, double Weight) Loss(Graph graph, List<RetrievalExample> examples, SeededRandom random)
    {
        var batch = RetrievalBatch.Draw(examples, _config.HardNegatives, _config.EasyNegatives, _sampler, random);
        var members = Encode(graph, [.. examples.Select(e => _prompts.MemberTokens(e.MemberId, e.Day))]);
        var posts = Encode(graph, [.. batch.Candidates.Select((p, j) => _prompts.ItemTokens(p, batch.Days[j]))]);
        var student = Losses.CandidateLogits(graph, members, posts, batch.Excluded, _config.Temperature);
        var loss = Losses.InfoNce(graph, student, batch.Labels, batch.Excluded);
        if (_teacher is not null)
        {
            // + α·T²·KL(teacher ‖ student) over the same candidate set, each with its own similarity temperature.
            var teacher = graph.Constant(_teacher.Logits(examples, batch), [examples.Count, batch.Candidates.Length]);
            loss = graph.Add(loss, graph.Scale(Losses.DistillationKl(graph, student, teacher, _config.DistillTemperature), _config.DistillWeight));
        }
        return (loss, examples.Count);
    }

    public IReadOnlyDictionary<string, double> Validate(IProgressReporter? progress) => Evaluate(_validation, "validation", progress).Figures;

    /// <summary>The model's test metrics, and beside them the same figures of popularity (every member gets the items with
    /// the most engagements before the day: `recall@100/popularity`, ...), the reference any retriever must beat, and, when
    /// the world's truth is known, of the truth reference (`recall@100/oracle` for posts, `recall@100/match` for jobs).</summary>
    public IReadOnlyDictionary<string, double> Test(IProgressReporter? progress)
    {
        _prompts.ResetCounts();
        var (figures, points) = Evaluate(_test, "test", progress);
        var metrics = new Dictionary<string, double>(figures);
        // How often the token budgets cut a test prompt (the member's oldest history first, then low-priority fields).
        var (members, membersCut, posts, postsCut) = _prompts.PromptCounts;
        metrics[MemberPromptsCut] = members == 0 ? 0 : (double)membersCut / members;
        metrics[PostPromptsCut] = posts == 0 ? 0 : (double)postsCut / posts;
        var references = new List<(string Target, Func<int, long[], Func<RetrievalExample, long[]>> Ranker)> { (PopularityTarget, Popularity) };
        if (_truth is not null)
        {
            references.Add((_truth.Target, _truth.Ranker));
        }
        foreach (var (target, ranker) in references)
        {
            // Overall and per history bucket; the buckets' member-day counts are the model's already.
            foreach (var (key, value) in EvaluateReference(_test, $"test {target}", progress, ranker).Where(f => !f.Key.StartsWith("queries/", StringComparison.Ordinal)))
            {
                metrics[MetricNames.Of(key, target)] = value;
            }
        }
        _testReport = RetrievalReport.Sections(metrics, EvenSample.Of(points, ScatterPoints), _truth);
        return metrics;
    }

    public ReportSections? TestReport() => _testReport;

    /// <summary>Shares of the test's member and item prompts that their token budgets cut (`post-prompts` names item prompts of any kind).</summary>
    public static readonly string MemberPromptsCut = MetricNames.Of("cut-share", "member-prompts");

    public static readonly string PostPromptsCut = MetricNames.Of("cut-share", "post-prompts");

    /// <summary>The target names of the references' figures: popularity, and the truth references of posts and of jobs.</summary>
    public const string PopularityTarget = "popularity";

    public const string OracleTarget = "oracle";

    public const string MatchTarget = "match";

    public void Save(string path, TrainingSnapshot? training) => _model.Save(path, training);

    /// <summary>
    /// Recall@10/50/100/500 and NDCG@10 of each member-day's engagements among every item created by that day (as of that
    /// day), exact search by cosine similarity; overall and per history bucket; and each (item, day)'s popularity and mean similarity.
    /// </summary>
    private (IReadOnlyDictionary<string, double> Figures, List<RetrievalReport.PopularityPoint> Points) Evaluate(List<RetrievalExample> examples, string stage,
        IProgressReporter? progress)
    {
        var embedder = new PromptEmbedder(_model, EmbedBatch);
        var metrics = new RetrievalMetricsAccumulator();
        var counter = progress is null ? null : ProgressCounter.Start(progress, stage, examples.Count);
        var k = RetrievalMetrics.RecallCutoffs.Max();
        var (popularities, similarities) = (new List<double>(), new List<double>());
        foreach (var day in examples.GroupBy(e => e.Day).OrderBy(g => g.Key))
        {
            var alive = _log.ItemsCreatedBy(day.Key).ToArray();
            var dayExamples = day.ToList();
            var width = _model.Config.Channels;
            var posts = embedder.Embed([.. alive.Select(p => _prompts.ItemTokens(p, day.Key))]);
            var members = embedder.Embed([.. dayExamples.Select(e => _prompts.MemberTokens(e.MemberId, e.Day))]);
            // Each post's mean similarity to the day's members (the mean member vector · the post) beside its popularity then.
            var meanMember = new float[width];
            for (var i = 0; i < dayExamples.Count; i++)
            {
                System.Numerics.Tensors.TensorPrimitives.Add(meanMember, members.AsSpan(i * width, width), meanMember);
            }
            for (var p = 0; p < alive.Length; p++)
            {
                popularities.Add(Math.Log(1 + _log.ItemEngagementsBefore(alive[p], day.Key)));
                similarities.Add(System.Numerics.Tensors.TensorPrimitives.Dot(meanMember, posts.AsSpan(p * width, width)) / dayExamples.Count);
            }
            // The candidates come from an exact index of the day's posts, as serving would fetch them.
            using var index = new FlatIndex(width, alive.Length);
            index.UpsertBatch(alive, posts, new long[alive.Length]);
            var hits = new SearchHit[k];
            for (var i = 0; i < dayExamples.Count; i++)
            {
                var found = index.SearchExact(members.AsSpan(i * width, width), Math.Min(k, alive.Length), hits);
                AddQuery(metrics, [.. hits.AsSpan(0, found).ToArray().Select(h => h.Id)], dayExamples[i]);
                counter?.Advance();
            }
        }
        var means = new Dictionary<string, double>(metrics.Means())
        {
            [PopularitySimilarity] = RankStatistics.Pearson([.. popularities], [.. similarities]),
        };
        return (means, [.. popularities.Select((p, i) => new RetrievalReport.PopularityPoint(p, similarities[i]))]);
    }

    /// <summary>The same figures of a reference that ranks without the model: <paramref name="rankerOfDay"/> is given a day
    /// and every post created by it, and returns each member-day's ranking, best first.</summary>
    private IReadOnlyDictionary<string, double> EvaluateReference(List<RetrievalExample> examples, string stage, IProgressReporter? progress,
        Func<int, long[], Func<RetrievalExample, long[]>> rankerOfDay)
    {
        var metrics = new RetrievalMetricsAccumulator();
        var counter = progress is null ? null : ProgressCounter.Start(progress, stage, examples.Count);
        foreach (var day in examples.GroupBy(e => e.Day).OrderBy(g => g.Key))
        {
            var rank = rankerOfDay(day.Key, _log.ItemsCreatedBy(day.Key).ToArray());
            foreach (var example in day)
            {
                AddQuery(metrics, rank(example), example);
                counter?.Advance();
            }
        }
        return metrics.Means();
    }

    private void AddQuery(RetrievalMetricsAccumulator metrics, long[] ranked, RetrievalExample example) =>
        metrics.Add(ranked, example.Positives.ToHashSet(), _log.EngagementsBefore(example.MemberId, example.Day));

    /// <summary>Popularity ranks every member's candidates alike, by engagements before the day: one ranking a day.</summary>
    private Func<RetrievalExample, long[]> Popularity(int day, long[] alive)
    {
        var ranked = TopK(alive, [.. alive.Select(p => (float)_log.ItemEngagementsBefore(p, day))], RetrievalMetrics.RecallCutoffs.Max());
        return _ => ranked;
    }

    /// <summary>Pearson correlation of a post's popularity (log(1 + engagements before the day)) with its mean similarity to
    /// the day's members, over every (post, day) scored: LinkedIn measured −0.004 with raw counts in prompts and about 30× more with percentiles.</summary>
    public static readonly string PopularitySimilarity = MetricNames.Of("pearson", "popularity-similarity");

    /// <summary>Ids of the k best scores, best first; equal scores by lower id.</summary>
    public static long[] TopK(long[] ids, float[] scores, int k)
    {
        var order = Enumerable.Range(0, ids.Length).ToArray();
        Array.Sort(order, (a, b) => scores[b] != scores[a] ? scores[b].CompareTo(scores[a]) : ids[a].CompareTo(ids[b]));
        return [.. order.Take(k).Select(i => ids[i])];
    }

    /// <summary>L2-normalised embeddings (B,C) of token sequences, recorded on the graph.</summary>
    private Tensor Encode(Graph graph, IReadOnlyList<int[]> sequences) => PromptEmbedder.Encode(_model, graph, sequences);

    private List<RetrievalExample> Held(IReadOnlyList<RetrievalExample> examples, RetrievalSplit split)
    {
        var held = examples.Where(e => e.Split == split).ToList();
        return _config.EvaluationExamples == 0 ? held : [.. held.Take(_config.EvaluationExamples)];
    }
}

/// <summary>
/// A ranking by what the world knows and no model sees, tested beside the model. The feed's oracle (posts live that day by
/// their true relevance) bounds a retriever from above; the jobs' match (open jobs by the member's true match) does not: an
/// apply also follows what the match does not score (which jobs a member views, mostly of their own family; employer brand;
/// freshness; a step up in seniority; remote preference; the occupation of their last apply), and a model can learn those.
/// </summary>
/// <param name="Ranker">Given a day and the items created by it, each member-day's ranking.</param>
/// <param name="IsUpperBound">Whether the report reads the model as closing the gap between popularity and this reference.</param>
public sealed record TruthReference(string Target, bool IsUpperBound, Func<int, long[], Func<RetrievalExample, long[]>> Ranker);
