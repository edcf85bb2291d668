// The SASRec training loop: seeded length-bucketed batches, next-item cross-entropy (full or sampled with
// logQ), AdamW with warmup and clipping, validation NDCG@10 for early stopping, checkpoints and resume.
using System.Diagnostics;
using Lodestar.Core.Progress;
using Lodestar.Core;
using Lodestar.Evaluation;
using Lodestar.Models.Baselines;
using Lodestar.Models.SasRec;
using Lodestar.Nn;
using Lodestar.Nn.Optim;
using Lodestar.Tensors;
using Lodestar.Features.SeqRec;

namespace Lodestar.Training;

public static class SasRecTrainer
{
    // Users sorted by length inside windows of this many batches, so a batch pads little but stays random.
    private const int BucketBatches = 16;

    /// <summary>Trains (or, with <paramref name="resume"/>, continues) a run and returns its finished record.</summary>
    public static RunRecord Train(SeqRecConfig config, SequenceSplits data, string runDirectory, IProgressReporter? progress, bool resume)
    {
        var clock = Stopwatch.StartNew();
        var train = config.Training;
        var model = new SasRecModel(config.Sasrec, data.ItemCount, (ulong)config.Seed);
        var optimizer = CreateOptimizer(model, train);
        var record = new RunRecord
        {
            Status = "running", Config = config, Data = data.Provenance, HistoryExcluded = config.Evaluation.ExcludeHistory,
            Checkpoint = SasRecCheckpoint.BestFile,
        };
        var state = new SasRecTrainingState(0, 0, 0, double.NegativeInfinity, 0);
        var previousSeconds = 0.0;
        if (resume)
        {
            record = RunRecord.Read(runDirectory);
            if (record.Config != config)
            {
                throw new ArgumentException($"{runDirectory}: resuming needs the run's own config; pass no --config or the same one");
            }
            state = SasRecCheckpoint.LoadResumable(Path.Combine(runDirectory, SasRecCheckpoint.LastFile), model, optimizer);
            record = record with { Status = "running", Epochs = [.. record.Epochs.Where(e => e.Epoch <= state.Epoch)] };
            previousSeconds = record.WallSeconds;
        }
        record.Write(runDirectory);

        var sampler = config.Sasrec.Softmax == ItemSoftmax.Sampled
            ? new ItemSampler(MostPopularRecommender.ItemCounts(data.Training, data.ItemCount))
            : null;
        var users = Enumerable.Range(0, data.Training.Count).Where(u => data.Training[u].Length >= 2).ToArray();
        var graph = new Graph();
        var parameters = model.Parameters();
        var step = state.Step;
        for (var epoch = state.Epoch + 1; epoch <= train.Epochs; epoch++)
        {
            var random = new SeededRandom(((ulong)config.Seed * 1_000_003UL) + (ulong)epoch);
            var batches = Batches(users, data.Training, train.BatchSize, random);
            var batchesDone = progress is null ? null : ProgressCounter.Start(progress, $"epoch {epoch}", batches.Count);
            model.Train();
            double lossSum = 0;
            long lossCount = 0;
            foreach (var batchUsers in batches)
            {
                graph.Reset();
                var batch = SequenceBatch.ForTraining(data.Training, batchUsers, config.Sasrec.MaxLength);
                var candidates = sampler is null ? null : SampledCandidates.Draw(batch.Labels, config.Sasrec.SampledNegatives, sampler, random);
                var loss = model.Loss(graph, batch, candidates);
                lossSum += loss.Data[0] * batch.Labels.Length;
                lossCount += batch.Labels.Length;
                graph.Backward(loss);
                if (train.ClipNorm > 0)
                {
                    GradientClipping.ClipGlobalNorm(parameters, train.ClipNorm);
                }
                optimizer.Step(train.LearningRateAt(step++));
                optimizer.ZeroGrad();
                batchesDone?.Advance();
            }
            if (epoch % train.EvalEvery != 0 && epoch != train.Epochs)
            {
                continue;
            }
            model.Eval();
            var validation = SeqRecRun.Evaluate(model, data.Validation, config.Evaluation, "validation", progress);
            var seconds = previousSeconds + clock.Elapsed.TotalSeconds;
            var epochRecord = new EpochRecord(epoch, lossSum / Math.Max(1, lossCount), validation.Metrics, seconds);
            progress?.Line(SeqRecRun.Describe(epochRecord));
            var ndcg = validation[SeqRecRun.SelectionMetric];
            var improved = ndcg > state.BestNdcg;
            state = new SasRecTrainingState(
                epoch, step, improved ? epoch : state.BestEpoch, Math.Max(ndcg, state.BestNdcg), improved ? 0 : state.StaleValidations + 1);
            record = record with { Epochs = [.. record.Epochs, epochRecord], WallSeconds = seconds };
            if (improved)
            {
                SasRecCheckpoint.Save(Path.Combine(runDirectory, SasRecCheckpoint.BestFile), model, state);
                record = record with { BestEpoch = epoch, BestValidation = validation.Metrics, SecondsToBestEpoch = seconds };
            }
            SasRecCheckpoint.SaveResumable(Path.Combine(runDirectory, SasRecCheckpoint.LastFile), model, optimizer, state);
            record.Write(runDirectory);
            if (state.StaleValidations >= train.Patience || (train.MaxMinutes > 0 && seconds >= train.MaxMinutes * 60))
            {
                break;
            }
        }

        var best = LoadBest(runDirectory, config, data.ItemCount);
        var test = SeqRecRun.Evaluate(best, data.Test, config.Evaluation, "test", progress);
        record = record with { Status = "finished", Test = test.Metrics, WallSeconds = previousSeconds + clock.Elapsed.TotalSeconds };
        record.Write(runDirectory);
        return record;
    }

    /// <summary>The best-validation model of a run, in evaluation mode.</summary>
    public static SasRecModel LoadBest(string runDirectory, SeqRecConfig config, int itemCount)
    {
        var model = SasRecCheckpoint.LoadBest(runDirectory, itemCount);
        if (model.Spec.Config != config.Sasrec)
        {
            throw new InvalidDataException($"{Path.Combine(runDirectory, SasRecCheckpoint.BestFile)}: its SASRec config differs from the run's ({RunRecord.FileName})");
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
        Shuffle(order, random);
        var batches = new List<int[]>((order.Length / batchSize) + 1);
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
        Shuffle(batchOrder, random);
        return [.. batchOrder];
    }

    private static void Shuffle<T>(T[] values, SeededRandom random)
    {
        for (var i = values.Length - 1; i > 0; i--)
        {
            var j = random.NextInt(i + 1);
            (values[i], values[j]) = (values[j], values[i]);
        }
    }
}
