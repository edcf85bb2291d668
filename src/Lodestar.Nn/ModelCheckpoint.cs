// The one checkpoint format of every Lodestar model: a safetensors file whose tensors are the model's
// parameters under their PyTorch-style names and whose header metadata says the format and its version,
// the model's kind and its resolved config, so a checkpoint alone rebuilds the model that wrote it. A
// resumable training checkpoint is the same file plus the AdamW moments ("optimizer.m.<name>",
// "optimizer.v.<name>"), the step, the generator's words, every dropout layer's call count and the
// trainer's own state, so a resumed run continues bit for bit. Written atomically by SafeTensorsWriter.
using System.Globalization;
using System.Numerics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Lodestar.Core;
using ILowPrecisionWeight = Lodestar.Kernels.ILowPrecisionWeight;
using Int8ActivationRange = Lodestar.Kernels.Int8ActivationRange;
using Int8Weight = Lodestar.Kernels.Int8Weight;
using Bf16Weight = Lodestar.Kernels.Bf16Weight;
using Lodestar.Nn.Optim;
using Lodestar.Tensors.Serialization;

namespace Lodestar.Nn;

/// <summary>What a checkpoint says about itself, read from its header alone.</summary>
/// <param name="Kind">Which model wrote it, e.g. "job-matching.student" or "seqrec.sasrec".</param>
/// <param name="ConfigJson">The model's resolved config, as JSON (<see cref="ModelCheckpoint.Json"/>).</param>
/// <param name="HasTrainingState">Whether it also holds optimizer moments and the step (a resumable checkpoint).</param>
public sealed record CheckpointHeader(string Path, string Kind, string ConfigJson, bool HasTrainingState);

/// <summary>Where training stood, written beside the weights of a resumable checkpoint.</summary>
/// <param name="Step">Training steps completed.</param>
/// <param name="StateJson">The trainer's own state (epoch, best metric, ...), as JSON.</param>
/// <param name="Optimizer">The optimizer whose moments and step are saved; null writes the state without them.</param>
/// <param name="Random">A generator whose words are saved, or null.</param>
public sealed record TrainingSnapshot(long Step, string StateJson, AdamW? Optimizer = null, SeededRandom? Random = null);

public static class ModelCheckpoint
{
    /// <summary>The "format" metadata value of every Lodestar checkpoint.</summary>
    public const string Format = "lodestar.checkpoint";

    /// <summary>The "format_version" written now; files of another version are refused with a message.</summary>
    public const int Version = 2;

    private const string FirstMomentPrefix = "optimizer.m.";
    private const string SecondMomentPrefix = "optimizer.v.";

    /// <summary>How model configs are written into checkpoints: snake_case keys, enums as snake_case strings.</summary>
    public static JsonSerializerOptions Json { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseLower, allowIntegerValues: false) },
    };

    /// <summary>Writes <paramref name="model"/>'s weights with its kind and config (and, when given, the training state) to path.</summary>
    /// <param name="lowPrecision">
    /// Write each linear layer that runs in a lower precision (Linear.LowPrecision) as it runs: int8 codes with their
    /// per-channel scales and calibrated input range, or bf16 bits; the metadata's <see cref="LowPrecisionKey"/> lists
    /// them. Loading restores them (the float32 weight becomes the values they stand for).
    /// </param>
    public static void Save(string path, Module model, string kind, string configJson, TrainingSnapshot? training = null, bool lowPrecision = false)
    {
        var writer = new SafeTensorsWriter();
        var layers = lowPrecision
            ? model.NamedModules().Where(m => m.Module is Linear { LowPrecision: not null }).ToDictionary(m => m.Name + ".weight", m => ((Linear)m.Module).LowPrecision!, StringComparer.Ordinal)
            : [];
        foreach (var (name, parameter) in model.NamedParameters())
        {
            if (layers.TryGetValue(name, out var weight))
            {
                AddLowPrecision(writer, name, weight);
                continue;
            }
            writer.Add(name, parameter.Data, Shape(parameter.Shape));
        }
        var metadata = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            ["format"] = Format,
            ["format_version"] = Version.ToString(CultureInfo.InvariantCulture),
            ["kind"] = kind,
            ["config"] = configJson,
        };
        if (layers.Count > 0)
        {
            metadata[LowPrecisionKey] = JsonSerializer.Serialize(layers.ToDictionary(l => l.Key, l => l.Value.Kind, StringComparer.Ordinal));
        }
        if (training is not null)
        {
            metadata["step"] = training.Step.ToString(CultureInfo.InvariantCulture);
            metadata["training_state"] = training.StateJson;
            if (training.Optimizer is { } optimizer)
            {
                foreach (var (name, parameter) in model.NamedParameters())
                {
                    var (m, v) = optimizer.Moments(parameter);
                    writer.Add(FirstMomentPrefix + name, m, Shape(parameter.Shape));
                    writer.Add(SecondMomentPrefix + name, v, Shape(parameter.Shape));
                }
                metadata["adamw_step"] = optimizer.StepCount.ToString(CultureInfo.InvariantCulture);
                metadata["adamw_config"] = JsonSerializer.Serialize(optimizer.Config);
            }
            if (training.Random is { } random)
            {
                metadata["rng_state"] = string.Join(",", random.GetState().Select(w => w.ToString("x16", CultureInfo.InvariantCulture)));
            }
            foreach (var (name, dropout) in Dropouts(model))
            {
                metadata[$"dropout_calls.{name}"] = dropout.Calls.ToString(CultureInfo.InvariantCulture);
            }
        }
        metadata[DigestKey] = TensorDigest.Of(writer);
        writer.Save(path, metadata);
    }

    /// <summary>The metadata key of the weights written in a lower precision: a JSON object of weight name → "int8" or "bf16".</summary>
    public const string LowPrecisionKey = "low_precision";

    private const string ScaleSuffix = ".scale";
    private const string InputRangeSuffix = ".input_range";

    private static void AddLowPrecision(SafeTensorsWriter writer, string name, ILowPrecisionWeight weight)
    {
        switch (weight)
        {
            case Int8Weight int8:
                writer.Add(name, int8.Values, int8.OutFeatures, int8.InFeatures);
                writer.Add(name + ScaleSuffix, int8.Scales, int8.OutFeatures);
                if (int8.Activations is { } range)
                {
                    writer.Add(name + InputRangeSuffix, [range.Min, range.Max], 2);
                }
                break;
            case Bf16Weight bf16:
                writer.AddRaw(name, SafeTensorsDType.BF16, System.Runtime.InteropServices.MemoryMarshal.AsBytes(bf16.Values.AsSpan()), bf16.OutFeatures, bf16.InFeatures);
                break;
            default:
                throw new NotSupportedException($"{name}: no checkpoint format for a {weight.Kind} weight");
        }
    }

    /// <summary>The metadata key of the checksum of every tensor in the file (TensorDigest), checked on every read.</summary>
    public const string DigestKey = "tensors_sha256";

    /// <summary>The header of a checkpoint: its kind and config, checked to be this format and version.</summary>
    public static CheckpointHeader ReadHeader(string path)
    {
        using var file = Open(path, tensors: false);
        return HeaderOf(file, path);
    }

    /// <summary>
    /// Copies the weights of the checkpoint at path into <paramref name="model"/> (built from the checkpoint's config,
    /// or of the same shape), after checking that its kind passes <paramref name="acceptsKind"/>. Returns its header.
    /// </summary>
    public static CheckpointHeader LoadWeights(string path, Module model, Func<string, bool> acceptsKind, string expected)
    {
        using var file = Open(path, tensors: true);
        var header = AcceptedHeader(file, path, acceptsKind, expected);
        CopyWeights(file, path, model);
        return header;
    }

    /// <summary>
    /// The model a checkpoint of kind <paramref name="kind"/> describes: its config read from the header as
    /// <typeparamref name="TConfig"/>, the model built by <paramref name="build"/>, its weights loaded, in evaluation mode.
    /// </summary>
    public static TModel Load<TModel, TConfig>(string path, string kind, Func<TConfig, TModel> build) where TModel : Module =>
        Load(path, k => k == kind, $"'{kind}'", build);

    /// <summary>As <see cref="Load{TModel, TConfig}(string, string, Func{TConfig, TModel})"/> for a family of kinds that
    /// <paramref name="acceptsKind"/> accepts (<paramref name="expected"/> names them in errors).</summary>
    public static TModel Load<TModel, TConfig>(string path, Func<string, bool> acceptsKind, string expected, Func<TConfig, TModel> build) where TModel : Module
    {
        using var file = Open(path, tensors: true);
        var header = AcceptedHeader(file, path, acceptsKind, expected);
        var config = JsonSerializer.Deserialize<TConfig>(header.ConfigJson, Json)
            ?? throw new InvalidDataException($"{path}: checkpoint config is null");
        var model = build(config);
        CopyWeights(file, path, model);
        model.Eval();
        return model;
    }

    /// <summary>
    /// Restores a resumable checkpoint: weights, optimizer moments and step, the generator's words (when
    /// <paramref name="random"/> is given) and dropout call counts. Returns the step and the trainer's state JSON.
    /// </summary>
    public static TrainingSnapshot LoadTraining(string path, Module model, AdamW optimizer, SeededRandom? random, string kind)
    {
        using var file = Open(path, tensors: true);
        AcceptedHeader(file, path, k => k == kind, $"'{kind}'");
        var metadata = file.Metadata;
        if (!metadata.ContainsKey("adamw_step"))
        {
            throw new InvalidDataException($"{path}: holds weights only (no optimizer state), so training cannot resume from it");
        }
        foreach (var (name, parameter) in model.NamedParameters())
        {
            Copy(file, path, name, parameter.Data);
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
        return new TrainingSnapshot(ParseLong(metadata, "step", path), Required(metadata, "training_state", path), optimizer, random);
    }

    /// <summary>The trainer's state JSON saved in a checkpoint, or null when it was saved without one.</summary>
    public static string? ReadTrainingState(string path)
    {
        using var file = Open(path, tensors: false);
        HeaderOf(file, path);
        return file.Metadata.GetValueOrDefault("training_state");
    }

    /// <summary>
    /// The checkpoint at <paramref name="path"/>. With <paramref name="tensors"/> (the caller reads weights), its tensors are
    /// checked against the checksum written with them; files written before checksums were recorded have none and are read
    /// as they are. A caller reading only the header's metadata skips hashing every tensor.
    /// </summary>
    private static SafeTensorsFile Open(string path, bool tensors)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: checkpoint not found (train the run first)", path);
        }
        var file = SafeTensorsFile.Read(path);
        if (tensors && file.Metadata.TryGetValue(DigestKey, out var recorded) && TensorDigest.Of(file) is var actual && actual != recorded)
        {
            file.Dispose();
            throw new InvalidDataException($"{path}: its tensors do not match the checksum written with them ({DigestKey} {recorded[..12]}…, the bytes give {actual[..12]}…); " +
                "the file is damaged (a flipped bit or a partial copy) and is not loaded");
        }
        return file;
    }

    private static CheckpointHeader HeaderOf(SafeTensorsFile file, string path)
    {
        var metadata = file.Metadata;
        var format = metadata.GetValueOrDefault("format");
        if (format != Format)
        {
            // Version 1 wrote three formats: "lodestar.sasrec.v1" (SASRec best weights), "lodestar-checkpoint-1"
            // (resumable) and job-matching weights with only a "role" entry.
            var older = format is "lodestar.sasrec.v1" or "lodestar-checkpoint-1" || (format is null && metadata.ContainsKey("role"));
            throw new InvalidDataException(older
                ? $"{path}: a checkpoint of an older Lodestar (format '{format ?? "role only"}'), which this version no longer loads; retrain the run (see README, \"Checkpoints\")"
                : $"{path}: not a Lodestar checkpoint (metadata 'format' is '{format ?? "missing"}', expected '{Format}')");
        }
        var version = Required(metadata, "format_version", path);
        if (version != Version.ToString(CultureInfo.InvariantCulture))
        {
            throw new InvalidDataException($"{path}: checkpoint format version {version}; this Lodestar reads version {Version} (retrain the run, or load it with the Lodestar that wrote it)");
        }
        return new CheckpointHeader(path, Required(metadata, "kind", path), Required(metadata, "config", path), metadata.ContainsKey("step"));
    }

    private static CheckpointHeader AcceptedHeader(SafeTensorsFile file, string path, Func<string, bool> acceptsKind, string expected)
    {
        var header = HeaderOf(file, path);
        return acceptsKind(header.Kind) ? header : throw new InvalidDataException($"{path}: a checkpoint of kind '{header.Kind}', not {expected}");
    }

    private static void CopyWeights(SafeTensorsFile file, string path, Module model)
    {
        var lowPrecision = file.Metadata.TryGetValue(LowPrecisionKey, out var listed)
            ? JsonSerializer.Deserialize<Dictionary<string, string>>(listed) ?? []
            : [];
        var linears = model.NamedModules().Where(m => m.Module is Linear).ToDictionary(m => m.Name + ".weight", m => (Linear)m.Module, StringComparer.Ordinal);
        foreach (var (name, kind) in lowPrecision)
        {
            if (!linears.TryGetValue(name, out var layer))
            {
                throw new InvalidDataException($"{path}: holds {kind} weights for '{name}', which is not a linear layer's weight in this model (a checkpoint of another architecture?)");
            }
            layer.UseLowPrecision(ReadLowPrecision(file, path, name, kind, layer.Weight.Dim(0), layer.Weight.Dim(1)));
        }
        foreach (var (name, parameter) in model.NamedParameters().Where(p => !lowPrecision.ContainsKey(p.Name)))
        {
            Copy(file, path, name, parameter.Data);
        }
    }

    private static ILowPrecisionWeight ReadLowPrecision(SafeTensorsFile file, string path, string name, string kind, int outFeatures, int inFeatures)
    {
        if (!file.Contains(name))
        {
            throw new InvalidDataException($"{path}: checkpoint has no tensor '{name}'");
        }
        var entry = file[name];
        if (entry.Shape.Count != 2 || entry.Shape[0] != outFeatures || entry.Shape[1] != inFeatures)
        {
            throw new InvalidDataException($"{path}: tensor '{name}' holds {kind} weights of shape {entry.ShapeText}, the model's layer is ({outFeatures}, {inFeatures})");
        }
        switch (kind)
        {
            case "int8":
                var scales = file.Contains(name + ScaleSuffix) ? file.GetFloat32(name + ScaleSuffix).ToArray()
                    : throw new InvalidDataException($"{path}: int8 tensor '{name}' has no per-channel scales ('{name}{ScaleSuffix}')");
                Int8ActivationRange? range = null;
                if (file.Contains(name + InputRangeSuffix) && file.GetFloat32(name + InputRangeSuffix) is { Length: 2 } bounds)
                {
                    range = new Int8ActivationRange(bounds[0], bounds[1]);
                }
                return Int8Weight.FromCodes(file.GetInt8(name).ToArray(), scales, outFeatures, inFeatures, range);
            case "bf16":
                return Bf16Weight.FromBits(System.Runtime.InteropServices.MemoryMarshal.Cast<byte, ushort>(file.GetBytes(name)).ToArray(), outFeatures, inFeatures);
            default:
                throw new InvalidDataException($"{path}: tensor '{name}' is listed as '{kind}', a precision this Lodestar does not read (int8 or bf16)");
        }
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
        if (FirstNonFinite(source) is var bad and >= 0)
        {
            var shown = float.IsNaN(source[bad]) ? "NaN" : source[bad] > 0 ? "+infinity" : "-infinity";
            throw new InvalidDataException($"{path}: tensor '{name}' holds {shown} at element {bad} of {source.Length}; " +
                "the weights are damaged (a run that diverged, or a corrupted file) and are not loaded");
        }
        source.CopyTo(destination);
    }

    /// <summary>The index of the first NaN or infinity in <paramref name="values"/>, or −1.</summary>
    public static int FirstNonFinite(ReadOnlySpan<float> values)
    {
        var i = 0;
        // x − x is 0 for every finite x and NaN for NaN and ±∞: a block is clean when the whole difference is zero.
        for (; i <= values.Length - Vector<float>.Count; i += Vector<float>.Count)
        {
            var block = new Vector<float>(values[i..]);
            if (!Vector.EqualsAll(block - block, Vector<float>.Zero))
            {
                break;
            }
        }
        for (; i < values.Length; i++)
        {
            if (!float.IsFinite(values[i]))
            {
                return i;
            }
        }
        return -1;
    }

    private static long[] Shape(int[] shape) => [.. shape.Select(d => (long)d)];

    private static string Required(IReadOnlyDictionary<string, string> metadata, string key, string path) =>
        metadata.TryGetValue(key, out var value) ? value : throw new InvalidDataException($"{path}: checkpoint metadata has no '{key}'");

    private static long ParseLong(IReadOnlyDictionary<string, string> metadata, string key, string path) =>
        long.TryParse(Required(metadata, key, path), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new InvalidDataException($"{path}: checkpoint metadata '{key}' is not an integer");
}
