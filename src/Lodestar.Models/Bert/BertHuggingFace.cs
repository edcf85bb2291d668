// Imports a BERT-family encoder from a Hugging Face model directory (config.json, model.safetensors), as a user
// with downloaded weights has it. Lodestar's BertModel uses Hugging Face's parameter names, so the weights map
// by name (a "bert." prefix, as BertForX checkpoints write it, is dropped); the config is checked field by field.
using System.Text.Json;
using Lodestar.Tensors.Serialization;

namespace Lodestar.Models.Bert;

public static class BertHuggingFace
{
    public const string ConfigFile = "config.json";
    public const string WeightsFile = "model.safetensors";

    /// <summary>The encoder in <paramref name="directory"/>; initializers it has no use for (a pooler) are listed in <paramref name="unused"/>.</summary>
    public static BertModel Import(string directory, out IReadOnlyList<string> unused, BertPooling pooling = BertPooling.Mean)
    {
        var configPath = Path.Combine(directory, ConfigFile);
        if (!File.Exists(configPath))
        {
            throw new FileNotFoundException($"{configPath}: not a Hugging Face model directory (no {ConfigFile})", configPath);
        }
        JsonElement root;
        try
        {
            root = JsonDocument.Parse(File.ReadAllText(configPath)).RootElement.Clone();
        }
        catch (JsonException ex)
        {
            throw new InvalidDataException($"{configPath}: not JSON ({ex.Message})", ex);
        }
        var modelType = Text(root, "model_type", configPath, required: false);
        if (modelType is not (null or "bert"))
        {
            throw new InvalidDataException($"{configPath}: model_type '{modelType}' is not a BERT-family encoder Lodestar can run");
        }
        var activation = Text(root, "hidden_act", configPath, required: false) ?? "gelu";
        if (activation != "gelu")
        {
            throw new InvalidDataException($"{configPath}: hidden_act '{activation}' is not supported (Lodestar's BERT runs the exact GELU, \"gelu\")");
        }
        var config = new BertConfig
        {
            VocabSize = Integer(root, "vocab_size", configPath),
            Channels = Integer(root, "hidden_size", configPath),
            Heads = Integer(root, "num_attention_heads", configPath),
            FeedForward = Integer(root, "intermediate_size", configPath),
            Layers = Integer(root, "num_hidden_layers", configPath),
            MaxPositions = Integer(root, "max_position_embeddings", configPath),
            TokenTypes = Integer(root, "type_vocab_size", configPath),
            LayerNormEps = root.TryGetProperty("layer_norm_eps", out var eps) && eps.ValueKind == JsonValueKind.Number ? eps.GetSingle() : 1e-12f,
            Pooling = pooling,
        };
        try
        {
            config.Validate();
        }
        catch (Core.InvalidConfigException ex)
        {
            throw new InvalidDataException($"{configPath}: {ex.Message}", ex);
        }
        var weightsPath = Path.Combine(directory, WeightsFile);
        if (!File.Exists(weightsPath))
        {
            throw new FileNotFoundException($"{weightsPath}: no weights (Lodestar reads model.safetensors, not pytorch_model.bin)", weightsPath);
        }
        var model = new BertModel(config);
        using var file = SafeTensorsFile.Read(weightsPath);
        var names = file.Entries.Select(e => e.Name).ToHashSet(StringComparer.Ordinal);
        var weights = new Dictionary<string, float[]>(StringComparer.Ordinal);
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var (name, parameter) in model.NamedParameters())
        {
            var stored = names.Contains(name) ? name : names.Contains("bert." + name) ? "bert." + name
                : throw new InvalidDataException($"{weightsPath}: no tensor '{name}' (nor 'bert.{name}')");
            var values = file.ToFloat32Array(stored);
            if (values.Length != parameter.Length)
            {
                throw new InvalidDataException($"{weightsPath}: '{stored}' has {values.Length} values, {configPath} makes it [{string.Join(", ", parameter.Shape)}]");
            }
            weights[name] = values;
            used.Add(stored);
        }
        model.LoadStateDict(weights);
        model.Eval();
        unused = [.. names.Where(n => !used.Contains(n)).Order(StringComparer.Ordinal)];
        return model;
    }

    private static int Integer(JsonElement root, string field, string path) =>
        root.TryGetProperty(field, out var value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt32(out var number)
            ? number
            : throw new InvalidDataException($"{path}: '{field}' must be an integer");

    private static string? Text(JsonElement root, string field, string path, bool required) =>
        root.TryGetProperty(field, out var value)
            ? value.ValueKind == JsonValueKind.String ? value.GetString() : throw new InvalidDataException($"{path}: '{field}' must be a string")
            : required ? throw new InvalidDataException($"{path}: no '{field}'") : null;
}
