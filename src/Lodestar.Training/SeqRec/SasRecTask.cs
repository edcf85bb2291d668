// SASRec in the one training loop: seeded length-bucketed batches of users, next-item cross-entropy (full,
// or sampled with logQ correction), AdamW with weight decay on matrices only, and full-ranking NDCG@10 on
// the validation split to pick the best epoch.
using Lodestar.Core;
using Lodestar.Core.Progress;
using Lodestar.Evaluation;
using Lodestar.Features.SeqRec;
using Lodestar.Models.Baselines;
using Lodestar.Models.SasRec;
using Lodestar.Nn;
using Lodestar.Nn.Optim;
using Lodestar.Tensors;
using Lodestar.Training.Loop;

namespace Lodestar.Training.SeqRec;

public sealed class SasRecTask : ITrainingTask<int[]>
{
    // Users sorted by length inside windows of this many batches, so a batch pads little but stays random.
    private const int BucketBatches = 16;

    private readonly SeqRecConfig _config;
    private readonly SequenceSplits _data;
    private readonly SasRecModel _model;
    private readonly ItemSampler? _sampler;
    private readonly int[] _users;

    public SasRecTask(SeqRecConfig config, SequenceSplits data)
    {
        _config = config;
        _data = data;
        _model = new SasRecModel(config.Sasrec, data.ItemCount, (ulong)config.Seed);
        Optimizer = CreateOptimizer(_model, config.Training);
        _sampler = config.Sasrec.Softmax == ItemSoftmax.Sampled
            ? new ItemSampler(MostPopularRecommender.ItemCounts(data.Training, data.ItemCount))
            : null;
        // A user needs an input item and a later target to train on.
        _users = Enumerable.Range(0, data.Training.Count).Where(u => data.Training[u].Length >= 2).ToArray();
        BatchesPerEpoch = BatchCount(_users.Length, config.Training.BatchSize);
    }

    public Module Model => _model;

    public AdamW Optimizer { get; }

    public string CheckpointKind => SasRecModel.Kind;

    public SelectionMetric Selection => SeqRecRun.Selection;

    public int BatchesPerEpoch { get; }

    public SeededRandom EpochRandom(int epoch) => EpochBatches.Random(_config.Seed, epoch);

    public IReadOnlyList<int[]> Batches(int epoch, SeededRandom random) => Batches(_users, _data.Training, _config.Training.BatchSize, random);

    public (Tensor Loss, double Weight) Loss(Graph graph, int[] users, SeededRandom random)
    {
        var batch = SequenceBatch.ForTraining(_data.Training, users, _config.Sasrec.MaxLength);
        var candidates = _sampler is null ? null : SampledCandidates.Draw(batch.Labels, _config.Sasrec.SampledNegatives, _sampler, random);
        return (_model.Loss(graph, batch, candidates), batch.Labels.Length);
    }

    public IReadOnlyDictionary<string, double> Validate(IProgressReporter? progress)
    {
        _model.Eval();
        return SeqRecRun.Evaluate(_model, _data.Validation, _config.Evaluation, "validation", progress).Metrics;
    }

    public IReadOnlyDictionary<string, double> Test(IProgressReporter? progress) =>
        SeqRecRun.Evaluate(_model, _data.Test, _config.Evaluation, "test", progress).Metrics;

    public void Save(string path, TrainingSnapshot? training) => _model.Save(path, training);

    /// <summary>The best-validation model of a run, in evaluation mode, checked against the run's config and the data's item count.</summary>
    public static SasRecModel LoadBest(string runDirectory, SeqRecConfig config, int itemCount)
    {
        var path = Path.Combine(runDirectory, TrainingLoop.BestFile);
        var model = SasRecModel.Load(path);
        if (model.ItemCount != itemCount)
        {
            throw new InvalidDataException($"{path}: checkpoint has {model.ItemCount} items, the data has {itemCount}");
        }
        if (model.Spec.Config != config.Sasrec)
        {
            throw new InvalidDataException($"{path}: its SASRec config differs from the run's ({RunRecord<SeqRecConfig>.FileName})");
        }
        return model;
    }

    /// <summary>AdamW with weight decay on matrices only (not on norm gains, biases or the attention's relative-bias
    /// table, as nanoGPT).</summary>
    public static AdamW CreateOptimizer(SasRecModel model, TrainingConfig train)
    {
        // One group per parameter in model order, so moment buffer i belongs to named parameter i (checkpoints).
        var groups = model.NamedParameters()
            .Select(p => new ParameterGroup([p.Parameter], p.Parameter.Rank >= 2 && !p.Name.EndsWith(".rel_bias", StringComparison.Ordinal) ? train.WeightDecay : 0f))
            .ToArray();
        return new AdamW(groups, new AdamWConfig { LearningRate = train.LearningRate, WeightDecay = train.WeightDecay });
    }

    /// <summary>Shuffled users cut into batches of similar length: a seeded permutation, sorted by length
    /// within windows of <see cref="BucketBatches"/> batches, then the batch order shuffled again.</summary>
    public static List<int[]> Batches(int[] users, IReadOnlyList<ReadOnlyMemory<int>> sequences, int batchSize, SeededRandom random)
    {
        var order = (int[])users.Clone();
        random.Shuffle<int>(order);
        var batches = new List<int[]>(BatchCount(order.Length, batchSize));
        var window = batchSize * BucketBatches;
        for (var start = 0; start < order.Length; start += window)
        {
            var bucket = order.AsSpan(start, Math.Min(window, order.Length - start)).ToArray();
            var lengths = bucket.Select(u => sequences[u].Length).ToArray();
            Array.Sort(lengths, bucket);
            for (var b = 0; b < bucket.Length; b += batchSize)
            {
                batches.Add(bucket.AsSpan(b, Math.Min(batchSize, bucket.Length - b)).ToArray());
            }
        }
        var batchOrder = batches.ToArray();
        random.Shuffle<int[]>(batchOrder);
        return [.. batchOrder];
    }

    /// <summary>Every window but the last holds whole batches, so the count is that of plain batching.</summary>
    private static int BatchCount(int users, int batchSize) => (users + batchSize - 1) / batchSize;
}
