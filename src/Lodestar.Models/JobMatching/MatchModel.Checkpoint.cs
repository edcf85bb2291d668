// A match model saves and loads itself: the checkpoint's header holds its role, size, vocabulary and output
// layout, so a program that scores with a trained model needs the file alone, not the trainer that wrote it.
using System.Text.Json;
using Lodestar.Nn;

namespace Lodestar.Models.JobMatching;

/// <summary>Everything that shapes a match model, written into its checkpoint.</summary>
/// <param name="DimensionLevels">Levels per policy dimension (the output layout).</param>
public sealed record MatchModelSpec(MatchRole Role, MatchModelConfig Model, int VocabSize, int[] DimensionLevels)
{
    /// <summary>What structured pruning removed on the way to this model, one entry per step, first step first.</summary>
    [System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)]
    public IReadOnlyList<PrunedUnits>? Pruning { get; init; }
}

/// <summary>
/// What one structured-pruning step removed, in the indices of the model it was applied to: whole blocks, then in
/// each block (indexed before blocks were removed) the attention heads and the MLP hidden channels.
/// </summary>
/// <param name="Criterion">How the removed units were chosen, e.g. "taylor" (first-order estimate of the loss increase).</param>
public sealed record PrunedUnits(string Criterion, int[] Layers, int[][] Heads, int[][] Channels);

public sealed partial class MatchModel
{
    /// <summary>Checkpoint kinds of match models start with this; the role's name follows.</summary>
    public const string KindPrefix = "job-matching.";

    /// <summary>The file a run directory keeps its best weights in.</summary>
    public const string BestFile = "best.safetensors";

    public MatchModelSpec Spec => new(Role, Config, Encoder.Transformer.VocabSize, [.. Layout.DimensionLevels]) { Pruning = Pruning.Count == 0 ? null : Pruning };

    /// <summary>What structured pruning removed on the way to this model (empty when it was never pruned); saved in its checkpoint.</summary>
    public IReadOnlyList<PrunedUnits> Pruning { get; set; } = [];

    /// <summary>This model's checkpoint kind, e.g. "job-matching.student".</summary>
    public string CheckpointKind => KindPrefix + RoleName(Role);

    /// <summary>The name of a role in run directories and checkpoint kinds.</summary>
    public static string RoleName(MatchRole role) => role switch
    {
        MatchRole.PolicyTeacher => "policy-teacher",
        MatchRole.ClickTeacher => "click-teacher",
        _ => "student",
    };

    /// <summary>The role named <paramref name="name"/> by <see cref="RoleName"/>.</summary>
    public static MatchRole ParseRole(string name) => name switch
    {
        "policy-teacher" => MatchRole.PolicyTeacher,
        "click-teacher" => MatchRole.ClickTeacher,
        "student" => MatchRole.Student,
        _ => throw new ArgumentException($"unknown match role '{name}' (policy-teacher, click-teacher or student)"),
    };

    /// <summary>
    /// Writes the weights, spec and kind (and, when given, the training state) to path, atomically; with
    /// <paramref name="lowPrecision"/>, layers quantized to int8 or bf16 are written as they run, and Load restores them so.
    /// </summary>
    public void Save(string path, TrainingSnapshot? training = null, bool lowPrecision = false) =>
        ModelCheckpoint.Save(path, this, CheckpointKind, JsonSerializer.Serialize(Spec, ModelCheckpoint.Json), training, lowPrecision);

    /// <summary>The model a checkpoint describes, with its weights, in evaluation mode.</summary>
    public static MatchModel Load(string path) =>
        ModelCheckpoint.Load<MatchModel, MatchModelSpec>(path, IsMatchKind, "a job-matching model",
            spec => new MatchModel(spec.Role, spec.Model, spec.VocabSize, new MatchOutputLayout(spec.DimensionLevels)) { Pruning = spec.Pruning ?? [] });

    /// <summary>The spec in a match checkpoint's header, read without its weights.</summary>
    public static MatchModelSpec ReadSpec(string path)
    {
        var header = ModelCheckpoint.ReadHeader(path);
        if (!IsMatchKind(header.Kind))
        {
            throw new InvalidDataException($"{path}: holds a '{header.Kind}' checkpoint, not a job-matching model");
        }
        return JsonSerializer.Deserialize<MatchModelSpec>(header.ConfigJson, ModelCheckpoint.Json) ?? throw new InvalidDataException($"{path}: checkpoint config is null");
    }

    /// <summary>Copies the weights of another job-matching checkpoint of the same shape into this model (any role).</summary>
    public void LoadWeights(string path) =>
        ModelCheckpoint.LoadWeights(path, this, IsMatchKind, "a job-matching model");

    private static bool IsMatchKind(string kind) => kind.StartsWith(KindPrefix, StringComparison.Ordinal);
}
