// One job-matching model in the one training loop: its examples in a seeded per-epoch order, the role's
// loss (policy levels, apply labels, or distillation from cached teacher logits plus hard labels), AdamW
// with weight decay on every parameter, and the same loss on validation to pick the best epoch.
using Lodestar.Core;
using Lodestar.Core.Progress;
using Lodestar.Evaluation;
using Lodestar.Features.JobMatching;
using Lodestar.Models.JobMatching;
using Lodestar.Nn;
using Lodestar.Nn.Optim;
using Lodestar.Tensors;
using Lodestar.Training.Loop;

namespace Lodestar.Training.JobMatching;

/// <summary>Cached teacher logits of every example of the data set (rows of the layout's width), found by (member, job).</summary>
internal sealed record TeacherLogits(float[]? Policy, float[]? Click, Dictionary<(long, long), int> Index);

internal sealed class MatchTask : ITrainingTask<List<MatchExample>>
{
    /// <summary>The validation (and test) loss: the role's own training loss on the split.</summary>
    public const string LossMetric = MetricNames.Loss;

    private readonly MatchRole _role;
    private readonly MatchTrainingConfig _config;
    private readonly MatchDataSet _data;
    private readonly MatchModel _model;
    private readonly List<MatchExample> _train;
    private readonly List<MatchExample> _validation;
    private readonly List<MatchExample> _test;
    private readonly TeacherLogits _teachers;
    private readonly int _applyLabelsFromDay;

    public MatchTask(MatchRole role, MatchTrainingConfig config, MatchDataSet data, MatchModel model, Func<MatchSplit, List<MatchExample>> select, TeacherLogits teachers, int applyLabelsFromDay)
    {
        _role = role;
        _config = config;
        _data = data;
        _model = model;
        _train = select(MatchSplit.Train);
        _validation = select(MatchSplit.Validation);
        _test = select(MatchSplit.Test);
        _teachers = teachers;
        _applyLabelsFromDay = applyLabelsFromDay;
        Optimizer = new AdamW(model.Parameters(), new AdamWConfig { LearningRate = config.Training.LearningRate, WeightDecay = config.Training.WeightDecay });
        BatchesPerEpoch = (_train.Count + config.Training.BatchSize - 1) / config.Training.BatchSize;
    }

    public Module Model => _model;

    public AdamW Optimizer { get; }

    public string CheckpointKind => _model.CheckpointKind;

    public SelectionMetric Selection { get; } = new(LossMetric, HigherIsBetter: false);

    public int BatchesPerEpoch { get; }

    public SeededRandom EpochRandom(int epoch) => new(_config.ShuffleSeed + (ulong)(epoch - 1));

    public IReadOnlyList<List<MatchExample>> Batches(int epoch, SeededRandom random)
    {
        var order = Enumerable.Range(0, _train.Count).ToArray();
        for (var i = order.Length - 1; i > 0; i--)
        {
            var j = (int)(random.NextUInt64() % (ulong)(i + 1));
            (order[i], order[j]) = (order[j], order[i]);
        }
        var size = _config.Training.BatchSize;
        return [.. order.Chunk(size).Select(chunk => chunk.Select(i => _train[i]).ToList())];
    }

    public (Tensor Loss, double Weight) Loss(Graph graph, List<MatchExample> batch, SeededRandom random) => (Forward(graph, batch), 1.0);

    public IReadOnlyDictionary<string, double> Validate(IProgressReporter? progress) =>
        new Dictionary<string, double> { [LossMetric] = MeanLoss(_validation) };

    /// <summary>The loss on the role's test examples and every MatchMetrics figure on the test split (as `lodestar match eval` measures them).</summary>
    public IReadOnlyDictionary<string, double> Test(IProgressReporter? progress)
    {
        progress?.Start("test", 1);
        var metrics = new Dictionary<string, double> { [LossMetric] = _test.Count == 0 ? double.NaN : MeanLoss(_test) };
        foreach (var (name, value) in MatchEvaluator.Measure(MatchTestSet.Of(_data, MatchSplit.Test), _model, _data).Metrics)
        {
            metrics[name] = value;
        }
        progress?.Report(1);
        return metrics;
    }

    public void Save(string path, TrainingSnapshot? training) => _model.Save(path, training);

    private Tensor Forward(Graph graph, List<MatchExample> batch)
    {
        var (tokens, keep, length) = MatchScorer.Pack(batch, 0, batch.Count, _config.Model.MaxTokens);
        var logits = _model.Forward(graph, tokens, batch.Count, length, keep, MatchScorer.MemberLengths(batch, 0, batch.Count));
        return Loss(_role, _config, _data.Layout, _teachers, _applyLabelsFromDay, graph, logits, batch);
    }

    /// <summary>The role's loss of a batch from its logits: policy levels, apply labels, or distillation from the teachers' cached logits plus hard labels.</summary>
    public static Tensor Loss(MatchRole role, MatchTrainingConfig config, MatchOutputLayout layout, TeacherLogits teachers, int applyLabelsFromDay,
        Graph graph, Tensor logits, IReadOnlyList<MatchExample> batch) => role switch
    {
        MatchRole.PolicyTeacher => MatchLoss.PolicyHard(graph, logits, layout, batch)!,
        MatchRole.ClickTeacher => MatchLoss.ApplyHard(graph, logits, layout, batch)!,
        _ => MatchLoss.Student(graph, logits, layout, batch,
            new TeacherBatch(Rows(teachers.Policy, teachers, layout, batch), Rows(teachers.Click, teachers, layout, batch)), config.Distillation, applyLabelsFromDay),
    };

    private static float[]? Rows(float[]? logits, TeacherLogits teachers, MatchOutputLayout layout, IReadOnlyList<MatchExample> batch)
    {
        if (logits is null)
        {
            return null;
        }
        var width = layout.Width;
        var rows = new float[batch.Count * width];
        for (var i = 0; i < batch.Count; i++)
        {
            logits.AsSpan(teachers.Index[(batch[i].MemberId, batch[i].JobId)] * width, width).CopyTo(rows.AsSpan(i * width));
        }
        return rows;
    }

    /// <summary>The loss averaged over the examples of a split, in batches, in evaluation mode.</summary>
    private double MeanLoss(List<MatchExample> examples)
    {
        _model.Eval();
        var graph = new Graph(recordGradients: false);
        double total = 0;
        var size = _config.Training.BatchSize;
        for (var start = 0; start < examples.Count; start += size)
        {
            var batch = examples.GetRange(start, Math.Min(size, examples.Count - start));
            graph.Reset();
            total += Forward(graph, batch).Data[0] * batch.Count;
        }
        return total / examples.Count;
    }
}
