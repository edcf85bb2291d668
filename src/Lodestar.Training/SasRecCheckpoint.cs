// The two checkpoints of a SASRec run directory, both in the one model format (SasRecModel.Save): the best
// epoch's weights with the training state beside them, and the resumable last epoch with AdamW moments and
// step and dropout counters too, so a run resumes from its last epoch as if never stopped.
using System.Text.Json;
using Lodestar.Models.SasRec;
using Lodestar.Nn;
using Lodestar.Nn.Optim;

namespace Lodestar.Training;

/// <summary>Where training stood when a checkpoint was written.</summary>
public sealed record SasRecTrainingState(int Epoch, long Step, int BestEpoch, double BestNdcg, int StaleValidations);

public static class SasRecCheckpoint
{
    public const string BestFile = "best.safetensors";
    public const string LastFile = "last.safetensors";

    /// <summary>Writes the best epoch's weights with the training state, atomically.</summary>
    public static void Save(string path, SasRecModel model, SasRecTrainingState state) =>
        model.Save(path, new TrainingSnapshot(state.Step, JsonSerializer.Serialize(state, SeqRecConfig.Json)));

    /// <summary>Writes the resumable checkpoint: weights, AdamW moments and step, dropout counters, and the state.</summary>
    public static void SaveResumable(string path, SasRecModel model, AdamW optimizer, SasRecTrainingState state) =>
        model.Save(path, new TrainingSnapshot(state.Step, JsonSerializer.Serialize(state, SeqRecConfig.Json), optimizer));

    /// <summary>Restores a resumable checkpoint into <paramref name="model"/> and <paramref name="optimizer"/>; returns the state.</summary>
    public static SasRecTrainingState LoadResumable(string path, SasRecModel model, AdamW optimizer)
    {
        var snapshot = ModelCheckpoint.LoadTraining(path, model, optimizer, null, SasRecModel.Kind);
        return JsonSerializer.Deserialize<SasRecTrainingState>(snapshot.StateJson, SeqRecConfig.Json)
            ?? throw new InvalidDataException($"{path}: checkpoint training state is null");
    }

    /// <summary>The best model of a run, checked to fit the data's item count.</summary>
    public static SasRecModel LoadBest(string runDirectory, int itemCount)
    {
        var path = Path.Combine(runDirectory, BestFile);
        var model = SasRecModel.Load(path);
        if (model.ItemCount != itemCount)
        {
            throw new InvalidDataException($"{path}: checkpoint has {model.ItemCount} items, the data has {itemCount}");
        }
        return model;
    }
}
