// A match run directory's files: its run record (with the resolved config) and its best model, checked against the data
// set that will be scored with it, so evaluation and distillation see the model the run trained.
using Lodestar.Models.JobMatching;
using Lodestar.Tensors;
using Lodestar.Training.Loop;

namespace Lodestar.Training.JobMatching;

public static class MatchInference
{
    public const string BestWeightsFile = MatchModel.BestFile;

    /// <summary>The run's resolved config, from its run record.</summary>
    public static MatchTrainingConfig ReadConfig(string runDirectory) => RunRecord<MatchTrainingConfig>.Read(runDirectory).Config;

    /// <summary>
    /// The run's best model, checked to play <paramref name="role"/> and against the data set it will read: the same vocabulary and output layout
    /// (a checkpoint carries its own, so a run trained on another world is refused instead of misread).
    /// </summary>
    public static MatchModel LoadBest(string runDirectory, MatchRole role, int vocabSize, MatchOutputLayout layout) =>
        Load(runDirectory, [role], vocabSize, layout);

    /// <summary>
    /// The best model of a run that teaches a student as <paramref name="role"/>: that teacher, or a distilled student,
    /// which has every output a teacher has (the middle link of a distillation chain teaches the next, smaller student).
    /// </summary>
    public static MatchModel LoadTeacher(string runDirectory, MatchRole role, int vocabSize, MatchOutputLayout layout) =>
        Load(runDirectory, [role, MatchRole.Student], vocabSize, layout);

    private static MatchModel Load(string runDirectory, MatchRole[] roles, int vocabSize, MatchOutputLayout layout)
    {
        var path = Path.Combine(runDirectory, BestWeightsFile);
        var model = MatchModel.Load(path);
        if (!roles.Contains(model.Role))
        {
            throw new InvalidDataException($"{path}: holds a {MatchModel.RoleName(model.Role)}, where a {string.Join(" or a ", roles.Select(MatchModel.RoleName))} is needed");
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
