// Training checkpoints as safetensors files: model weights, AdamW moments, the step, RNG states (a
// generator's words and every dropout layer's call count) and the resolved config in the metadata, so
// a resumed run continues bit for bit. Written atomically (temp file, flush, rename).
using System.Globalization;
using System.Text.Json;
using Lodestar.Core;
using Lodestar.Nn.Optim;
using Lodestar.Tensors;
using Lodestar.Tensors.Serialization;

namespace Lodestar.Nn;

/// <summary>What a checkpoint holds besides tensors.</summary>
/// <param name="Step">Training steps completed.</param>
/// <param name="ConfigJson">The resolved configuration of the run, as JSON.</param>
public sealed record CheckpointInfo(long Step, string ConfigJson);

public static class Checkpoint
{
    private const string ModelPrefix = "model.";
    private const string FirstMomentPrefix = "adamw.m.";
    private const string SecondMomentPrefix = "adamw.v.";

    /// <summary>Saves model, optimizer, step, RNG state and config to path (atomically).</summary>
    public static void Save<TConfig>(string path, Module model, AdamW optimizer, long step, SeededRandom? random, TConfig config)
    {
        var writer = new SafeTensorsWriter();
        foreach (var (name, parameter) in model.NamedParameters())
        {
            var shape = parameter.Shape.Select(d => (long)d).ToArray();
            writer.Add(ModelPrefix + name, parameter.Data, shape);
            var (m, v) = optimizer.Moments(parameter);
            writer.Add(FirstMomentPrefix + name, m, shape);
            writer.Add(SecondMomentPrefix + name, v, shape);
        }
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = "lodestar-checkpoint-1",
            ["step"] = step.ToString(CultureInfo.InvariantCulture),
            ["adamw_step"] = optimizer.StepCount.ToString(CultureInfo.InvariantCulture),
            ["adamw_config"] = JsonSerializer.Serialize(optimizer.Config),
            ["config"] = JsonSerializer.Serialize(config),
        };
        if (random is not null)
        {
            metadata["rng_state"] = string.Join(",", random.GetState().Select(w => w.ToString("x16", CultureInfo.InvariantCulture)));
        }
        foreach (var (name, dropout) in Dropouts(model))
        {
            metadata[$"dropout_calls.{name}"] = dropout.Calls.ToString(CultureInfo.InvariantCulture);
        }
        writer.Save(path, metadata);
    }

    /// <summary>Loads a checkpoint into an already built model and optimizer (and generator); returns step and config.</summary>
    public static CheckpointInfo Load(string path, Module model, AdamW optimizer, SeededRandom? random)
    {
        using var file = SafeTensorsFile.Read(path);
        var metadata = file.Metadata;
        if (!metadata.TryGetValue("format", out var format) || format != "lodestar-checkpoint-1")
        {
            throw new InvalidDataException($"{path}: not a Lodestar checkpoint (metadata 'format' is '{format}')");
        }
        foreach (var (name, parameter) in model.NamedParameters())
        {
            Copy(file, path, ModelPrefix + name, parameter.Data);
            var (m, v) = optimizer.Moments(parameter);
            Copy(file, path, FirstMomentPrefix + name, m);
            Copy(file, path, SecondMomentPrefix + name, v);
        }
        optimizer.StepCount = ParseLong(metadata, "adamw_step", path);
        if (random is not null)
        {
            var words = Required(metadata, "rng_state", path).Split(',')
                .Select(w => ulong.Parse(w, NumberStyles.HexNumber, CultureInfo.InvariantCulture)).ToArray();
            random.SetState(words);
        }
        foreach (var (name, dropout) in Dropouts(model))
        {
            dropout.Calls = (ulong)ParseLong(metadata, $"dropout_calls.{name}", path);
        }
        return new CheckpointInfo(ParseLong(metadata, "step", path), Required(metadata, "config", path));
    }

    private static IEnumerable<(string Name, Dropout Dropout)> Dropouts(Module model) =>
        model.NamedModules().Where(m => m.Module is Dropout).Select(m => (m.Name, (Dropout)m.Module));

    private static void Copy(SafeTensorsFile file, string path, string name, Span<float> destination)
    {
        if (!file.Contains(name))
        {
            throw new InvalidDataException($"{path}: checkpoint has no tensor '{name}'");
        }
        var source = file.GetFloat32(name);
        if (source.Length != destination.Length)
        {
            throw new InvalidDataException($"{path}: tensor '{name}' has {source.Length} elements, the model expects {destination.Length}");
        }
        source.CopyTo(destination);
    }

    private static string Required(IReadOnlyDictionary<string, string> metadata, string key, string path) =>
        metadata.TryGetValue(key, out var value) ? value : throw new InvalidDataException($"{path}: checkpoint metadata has no '{key}'");

    private static long ParseLong(IReadOnlyDictionary<string, string> metadata, string key, string path) =>
        long.TryParse(Required(metadata, key, path), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidDataException($"{path}: checkpoint metadata '{key}' is not an integer");
}
