// The feed ranker saves and loads itself in the one checkpoint format: its config and seed in the header, its
// weights under PyTorch-style names, so a scorer needs the file alone.
using System.Text.Json;
using Lodestar.Nn;

namespace Lodestar.Models.FeedRanking;

/// <summary>Everything that shapes a feed ranker, written into its checkpoint.</summary>
public sealed record FeedRankerSpec(FeedRankerConfig Config, ulong Seed);

public sealed partial class FeedRankerModel
{
    /// <summary>The checkpoint kind of feed rankers.</summary>
    public const string Kind = "feed.ranker";

    public FeedRankerSpec Spec => new(Config, Seed);

    /// <summary>Writes the weights and spec (and, when given, the training state) to path, atomically.</summary>
    public void Save(string path, TrainingSnapshot? training = null) =>
        ModelCheckpoint.Save(path, this, Kind, JsonSerializer.Serialize(Spec, ModelCheckpoint.Json), training);

    /// <summary>The model a checkpoint describes, with its weights, in evaluation mode.</summary>
    public static FeedRankerModel Load(string path) =>
        ModelCheckpoint.Load<FeedRankerModel, FeedRankerSpec>(path, Kind, spec => new FeedRankerModel(spec.Config, spec.Seed));
}
