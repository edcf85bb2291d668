// A match model saves and loads itself: the checkpoint's header holds its role, size, vocabulary and output
// layout, so a program that scores with a trained model needs the file alone, not the trainer that wrote it.
using System.Text.Json;
using Lodestar.Nn;

namespace Lodestar.Models.JobMatching;

/// <summary>Everything that shapes a match model, written into its checkpoint.</summary>
/// <param name="DimensionLevels">Levels per policy dimension (the output layout).</param>
public sealed record MatchModelSpec(MatchRole Role, MatchModelConfig Model, int VocabSize, int[] DimensionLevels);

public sealed partial class MatchModel
{
    /// <summary>Checkpoint kinds of match models start with this; the role's name follows.</summary>
    public const string KindPrefix = "job-matching.";

    /// <summary>The file a run directory keeps its best weights in.</summary>
    public const string BestFile = "best.safetensors";

    public MatchModelSpec Spec => new(Role, Config, Encoder.Transformer.VocabSize, [.. Layout.DimensionLevels]);

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

    /// <summary>Writes the weights, spec and kind (and, when given, the training state) to path, atomically.</summary>
    public void Save(string path, TrainingSnapshot? training = null) =>
        ModelCheckpoint.Save(path, this, CheckpointKind, JsonSerializer.Serialize(Spec, ModelCheckpoint.Json), training);

    /// <summary>The model a checkpoint describes, with its weights, in evaluation mode.</summary>
    public static MatchModel Load(string path) =>
        ModelCheckpoint.Load<MatchModel, MatchModelSpec>(path, IsMatchKind, "a job-matching model",
            spec => new MatchModel(spec.Role, spec.Model, spec.VocabSize, new MatchOutputLayout(spec.DimensionLevels)));

    /// <summary>Copies the weights of another job-matching checkpoint of the same shape into this model (any role).</summary>
    public void LoadWeights(string path) =>
        ModelCheckpoint.LoadWeights(path, this, IsMatchKind, "a job-matching model");

    private static bool IsMatchKind(string kind) => kind.StartsWith(KindPrefix, StringComparison.Ordinal);
}
