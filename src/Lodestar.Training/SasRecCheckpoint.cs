// SASRec checkpoints in the safetensors format (readable by PyTorch and Hugging Face tools): the best weights
// under their PyTorch-style names with the state and resolved config in the header metadata, and the resumable
// last checkpoint through Lodestar.Nn's Checkpoint (moments, AdamW step, dropout counters), so a run resumes
// from its last epoch as if never stopped.
using System.Globalization;
using System.Text.Json;
using Lodestar.Models.SasRec;
using Lodestar.Nn;
using Lodestar.Nn.Optim;
using Lodestar.Tensors.Serialization;

namespace Lodestar.Training;

/// <summary>Where training stood when a checkpoint was written.</summary>
public sealed record SasRecTrainingState(int Epoch, long Step, int BestEpoch, double BestNdcg, int StaleValidations);

public static class SasRecCheckpoint
{
    public const string Format = "lodestar.sasrec.v1";
    public const string BestFile = "best.safetensors";
    public const string LastFile = "last.safetensors";

    /// <summary>Writes the weights with the state and config in the metadata, atomically (the best-epoch file).</summary>
    public static void Save(string path, SasRecModel model, SeqRecConfig config, SasRecTrainingState state)
    {
        var writer = new SafeTensorsWriter();
        var named = model.NamedParameters().ToArray();
        foreach (var (name, parameter) in named)
        {
            writer.Add(name, parameter.Data, Shape(parameter.Shape));
        }
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["item_count"] = model.ItemCount.ToString(CultureInfo.InvariantCulture),
            ["config"] = JsonSerializer.Serialize(config, SeqRecConfig.Json),
            ["state"] = JsonSerializer.Serialize(state, SeqRecConfig.Json),
        };
        writer.Save(path, metadata);
    }

    /// <summary>Loads the weights of a best-epoch file into <paramref name="model"/>; returns the saved state.</summary>
    public static SasRecTrainingState Load(string path, SasRecModel model)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: checkpoint not found", path);
        }
        using var file = SafeTensorsFile.Read(path);
        if (!file.Metadata.TryGetValue("format", out var format) || format != Format)
        {
            throw new ArgumentException($"{path}: not a {Format} checkpoint (metadata format = {format ?? "missing"})");
        }
        var itemCount = int.Parse(file.Metadata["item_count"], CultureInfo.InvariantCulture);
        if (itemCount != model.ItemCount)
        {
            throw new ArgumentException($"{path}: checkpoint has {itemCount} items, the data has {model.ItemCount}");
        }
        var named = model.NamedParameters().ToArray();
        model.LoadStateDict(named.ToDictionary(p => p.Name, p => Read(file, path, p.Name, p.Parameter.Length), StringComparer.Ordinal));
        return JsonSerializer.Deserialize<SasRecTrainingState>(file.Metadata["state"], SeqRecConfig.Json)
            ?? throw new ArgumentException($"{path}: metadata 'state' is null");
    }

    /// <summary>Writes the resumable checkpoint: weights, AdamW moments and step, dropout counters, and the state.</summary>
    public static void SaveResumable(string path, SasRecModel model, AdamW optimizer, SasRecTrainingState state) =>
        Checkpoint.Save(path, model, optimizer, state.Step, null, state);

    /// <summary>Restores a resumable checkpoint into <paramref name="model"/> and <paramref name="optimizer"/>; returns the state.</summary>
    public static SasRecTrainingState LoadResumable(string path, SasRecModel model, AdamW optimizer)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: checkpoint not found", path);
        }
        var info = Checkpoint.Load(path, model, optimizer, null);
        return JsonSerializer.Deserialize<SasRecTrainingState>(info.ConfigJson)
            ?? throw new ArgumentException($"{path}: checkpoint config is null");
    }

    private static float[] Read(SafeTensorsFile file, string path, string name, int length)
    {
        if (!file.Contains(name))
        {
            throw new ArgumentException($"{path}: checkpoint has no tensor '{name}'");
        }
        var values = file.ToFloat32Array(name);
        if (values.Length != length)
        {
            throw new ArgumentException($"{path}: tensor '{name}' has {values.Length} values, the model needs {length}");
        }
        return values;
    }

    private static long[] Shape(int[] shape) => [.. shape.Select(d => (long)d)];
}
