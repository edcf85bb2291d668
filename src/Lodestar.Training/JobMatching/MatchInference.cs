// Runs a match model over examples without recording gradients, and restores a trained model from its
// run directory (resolved config + best weights), so evaluation and distillation see the same model.
using System.Text.Json;
using Lodestar.Models.JobMatching;
using Lodestar.Tensors;

namespace Lodestar.Training.JobMatching;

public static class MatchInference
{
    public const string BestWeightsFile = MatchModel.BestFile;
    public const string ConfigFile = "config.json";

    /// <summary>
    /// Logits (N, Layout.Width) row-major for the examples, in the given order. Batches are formed over the
    /// examples sorted by real length and each is cut to its longest pair, so little padding is computed.
    /// </summary>
    public static float[] Predict(MatchModel model, IReadOnlyList<MatchExample> examples, int batchSize = 64)
    {
        model.Eval();
        var width = model.Layout.Width;
        var output = new float[examples.Count * width];
        var graph = new Graph(recordGradients: false);
        var order = ByLength(examples);
        var rows = new MatchExample[Math.Min(batchSize, examples.Count)];
        for (var start = 0; start < examples.Count; start += batchSize)
        {
            var count = Math.Min(batchSize, examples.Count - start);
            for (var i = 0; i < count; i++)
            {
                rows[i] = examples[order[start + i]];
            }
            var (tokens, keep, length) = Pack(rows, 0, count, model.Config.MaxTokens);
            graph.Reset();
            var logits = model.Forward(graph, tokens, count, length, keep).Data;
            for (var i = 0; i < count; i++)
            {
                logits.Slice(i * width, width).CopyTo(output.AsSpan(order[start + i] * width, width));
            }
        }
        return output;
    }

    /// <summary>Indices of the examples ordered by real token count (stable, so ties keep their order).</summary>
    public static int[] ByLength(IReadOnlyList<MatchExample> examples) =>
        Enumerable.Range(0, examples.Count).OrderBy(i => RealTokens(examples[i])).ToArray();

    /// <summary>Real tokens of a pair: its keep flags are a prefix of ones.</summary>
    public static int RealTokens(MatchExample example) => example.Keep.Length - example.Keep.AsSpan().Count((byte)0);

    /// <summary>
    /// Tokens and keep flags (B·L) of examples [start, start+count), cut to L, the longest real length among them
    /// (the rest of each pair's MaxTokens slots is padding no real token attends to).
    /// </summary>
    public static (int[] Tokens, byte[] Keep, int Length) Pack(IReadOnlyList<MatchExample> examples, int start, int count, int maxTokens)
    {
        var length = 1;
        for (var i = 0; i < count; i++)
        {
            var example = examples[start + i];
            if (example.Tokens.Length != maxTokens || example.Keep.Length != maxTokens)
            {
                throw new ArgumentException($"example ({example.MemberId},{example.JobId}) has {example.Tokens.Length} tokens, the model takes {maxTokens}");
            }
            length = Math.Max(length, RealTokens(example));
        }
        var tokens = new int[count * length];
        var keep = new byte[count * length];
        for (var i = 0; i < count; i++)
        {
            var example = examples[start + i];
            example.Tokens.AsSpan(0, length).CopyTo(tokens.AsSpan(i * length));
            example.Keep.AsSpan(0, length).CopyTo(keep.AsSpan(i * length));
        }
        return (tokens, keep, length);
    }

    /// <summary>The run's resolved config.</summary>
    public static MatchTrainingConfig ReadConfig(string runDirectory)
    {
        var path = Path.Combine(runDirectory, ConfigFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: not a match run directory (no {ConfigFile})", path);
        }
        return JsonSerializer.Deserialize<MatchTrainingConfig>(File.ReadAllText(path), MatchTrainingConfig.Json)
            ?? throw new InvalidDataException($"{path}: config is null");
    }

    /// <summary>
    /// The run's best model, checked to play <paramref name="role"/> and against the data set it will read: the same vocabulary and output layout
    /// (a checkpoint carries its own, so a run trained on another world is refused instead of misread).
    /// </summary>
    public static MatchModel LoadBest(string runDirectory, MatchRole role, int vocabSize, MatchOutputLayout layout)
    {
        var path = Path.Combine(runDirectory, BestWeightsFile);
        var model = MatchModel.Load(path);
        if (model.Role != role)
        {
            throw new InvalidDataException($"{path}: holds a {MatchModel.RoleName(model.Role)}, where a {MatchModel.RoleName(role)} is needed");
        }
        if (model.Spec.VocabSize != vocabSize || !model.Layout.DimensionLevels.SequenceEqual(layout.DimensionLevels))
        {
            throw new InvalidDataException(
                $"{path}: the model reads a vocabulary of {model.Spec.VocabSize} tokens and {model.Layout.DimensionLevels.Count} policy dimensions, " +
                $"the data set has {vocabSize} tokens and {layout.DimensionLevels.Count} dimensions (was the run trained on another world or policy?)");
        }
        return model;
    }
}
