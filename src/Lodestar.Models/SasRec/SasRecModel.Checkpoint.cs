// SASRec saves and loads itself in the one checkpoint format: its config, item count and seed in the
// header, its weights under PyTorch-style names, so a recommender needs the file alone to run.
using System.Text.Json;
using Lodestar.Nn;

namespace Lodestar.Models.SasRec;

/// <summary>Everything that shapes a SASRec model, written into its checkpoint.</summary>
public sealed record SasRecSpec(SasRecConfig Config, int ItemCount, ulong Seed);

public sealed partial class SasRecModel
{
    /// <summary>The checkpoint kind of SASRec models.</summary>
    public const string Kind = "seqrec.sasrec";

    public SasRecSpec Spec => new(Config, ItemCount, Seed);

    /// <summary>Writes the weights and spec (and, when given, the training state) to path, atomically.</summary>
    public void Save(string path, TrainingSnapshot? training = null) =>
        ModelCheckpoint.Save(path, this, Kind, JsonSerializer.Serialize(Spec, ModelCheckpoint.Json), training);

    /// <summary>The model a checkpoint describes, with its weights, in evaluation mode.</summary>
    public static SasRecModel Load(string path) =>
        ModelCheckpoint.Load<SasRecModel, SasRecSpec>(path, Kind, spec => new SasRecModel(spec.Config, spec.ItemCount, spec.Seed));
}
