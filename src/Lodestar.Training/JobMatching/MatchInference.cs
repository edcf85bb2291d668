// Runs a match model over examples without recording gradients, and restores a trained model from its
// run directory (resolved config + best weights), so evaluation and distillation see the same model.
using System.Text.Json;
using Lodestar.Models.JobMatching;
using Lodestar.Tensors;
using Lodestar.Tensors.Serialization;

namespace Lodestar.Training.JobMatching;

public static class MatchInference
{
    public const string BestWeightsFile = "best.safetensors";
    public const string ConfigFile = "config.json";

    /// <summary>Logits (N, Layout.Width) row-major for the examples, in batches.</summary>
    public static float[] Predict(MatchModel model, IReadOnlyList<MatchExample> examples, int batchSize = 64)
    {
        model.Eval();
        var width = model.Layout.Width;
        var output = new float[examples.Count * width];
        var graph = new Graph(recordGradients: false);
        for (var start = 0; start < examples.Count; start += batchSize)
        {
            var count = Math.Min(batchSize, examples.Count - start);
            var (tokens, keep) = Pack(examples, start, count, model.Config.MaxTokens);
            graph.Reset();
            model.Forward(graph, tokens, count, keep).Data.CopyTo(output.AsSpan(start * width, count * width));
        }
        return output;
    }

    /// <summary>Tokens and keep flags (B·T) of examples [start, start+count).</summary>
    public static (int[] Tokens, byte[] Keep) Pack(IReadOnlyList<MatchExample> examples, int start, int count, int maxTokens)
    {
        var tokens = new int[count * maxTokens];
        var keep = new byte[count * maxTokens];
        for (var i = 0; i < count; i++)
        {
            var example = examples[start + i];
            if (example.Tokens.Length != maxTokens)
            {
                throw new ArgumentException($"example ({example.MemberId},{example.JobId}) has {example.Tokens.Length} tokens, the model takes {maxTokens}");
            }
            example.Tokens.CopyTo(tokens, i * maxTokens);
            example.Keep.CopyTo(keep, i * maxTokens);
        }
        return (tokens, keep);
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

    /// <summary>Builds the run's model and loads its best weights.</summary>
    public static MatchModel Load(string runDirectory, MatchRole role, int vocabSize, MatchOutputLayout layout)
    {
        var config = ReadConfig(runDirectory);
        var model = new MatchModel(role, config.Model, vocabSize, layout);
        var path = Path.Combine(runDirectory, BestWeightsFile);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: the run has no best weights yet (train it first)", path);
        }
        using var file = SafeTensorsFile.Read(path);
        model.LoadStateDict(model.NamedParameters().ToDictionary(p => p.Name, p => file.GetFloat32(p.Name).ToArray(), StringComparer.Ordinal));
        model.Eval();
        return model;
    }

    public static void SaveWeights(MatchModel model, string path)
    {
        var writer = new SafeTensorsWriter();
        foreach (var (name, parameter) in model.NamedParameters())
        {
            writer.Add(name, parameter.Data, parameter.Shape.Select(d => (long)d).ToArray());
        }
        writer.Save(path, new Dictionary<string, string>(StringComparer.Ordinal) { ["role"] = model.Role.ToString() });
    }
}
