// SASRec checkpoints in the safetensors format (readable by PyTorch and Hugging Face tools): weights under
// their PyTorch-style names, AdamW moments under "optimizer.m./v.<name>", and the training state and
// resolved config in the header metadata, so a run resumes from its last epoch as if never stopped.
using System.Globalization;
using System.Text.Json;
using Lodestar.Models.SasRec;
using Lodestar.Nn.Optim;
using Lodestar.Tensors.Serialization;

namespace Lodestar.Training;

/// <summary>Where training stood when a checkpoint was written.</summary>
public sealed record SasRecTrainingState(int Epoch, long Step, int BestEpoch, double BestNdcg, int StaleValidations, ulong[] DropoutCalls);

public static class SasRecCheckpoint
{
    public const string Format = "lodestar.sasrec.v1";
    public const string BestFile = "best.safetensors";
    public const string LastFile = "last.safetensors";

    /// <summary>Writes weights (and, when given, optimizer moments) with the state in the metadata, atomically.</summary>
    public static void Save(string path, SasRecModel model, SeqRecConfig config, SasRecTrainingState state, AdamW? optimizer = null)
    {
        var writer = new SafeTensorsWriter();
        var named = model.NamedParameters().ToArray();
        foreach (var (name, parameter) in named)
        {
            writer.Add(name, parameter.Data, Shape(parameter.Shape));
        }
        if (optimizer is not null)
        {
            foreach (var (name, parameter) in named)
            {
                var (m, v) = optimizer.Moments(parameter);
                writer.Add($"optimizer.m.{name}", m, m.Length);
                writer.Add($"optimizer.v.{name}", v, v.Length);
            }
        }
        var metadata = new Dictionary<string, string>
        {
            ["format"] = Format,
            ["item_count"] = model.ItemCount.ToString(CultureInfo.InvariantCulture),
            ["config"] = JsonSerializer.Serialize(config, SeqRecConfig.Json),
            ["state"] = JsonSerializer.Serialize(state, SeqRecConfig.Json),
            ["optimizer_steps"] = (optimizer?.StepCount ?? 0).ToString(CultureInfo.InvariantCulture),
        };
        writer.Save(path, metadata);
    }

    /// <summary>Loads weights into <paramref name="model"/> (and moments into <paramref name="optimizer"/>); returns the saved state.</summary>
    public static SasRecTrainingState Load(string path, SasRecModel model, AdamW? optimizer = null)
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
        if (optimizer is not null)
        {
            foreach (var (name, parameter) in named)
            {
                var (m, v) = optimizer.Moments(parameter);
                Read(file, path, $"optimizer.m.{name}", m.Length).CopyTo(m, 0);
                Read(file, path, $"optimizer.v.{name}", v.Length).CopyTo(v, 0);
            }
            optimizer.StepCount = long.Parse(file.Metadata["optimizer_steps"], CultureInfo.InvariantCulture);
        }
        return JsonSerializer.Deserialize<SasRecTrainingState>(file.Metadata["state"], SeqRecConfig.Json)
            ?? throw new ArgumentException($"{path}: metadata 'state' is null");
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
