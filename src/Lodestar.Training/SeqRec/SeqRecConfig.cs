// The one configuration of a sequential-recommendation run: which model, its settings, the evaluation
// protocol and the seed. Read from JSON (snake_case, unknown fields rejected) and written into every run.
using System.Text.Json;
using System.Text.Json.Serialization;
using Lodestar.Core;
using Lodestar.Evaluation;
using Lodestar.Models.Baselines;
using Lodestar.Models.SasRec;
using Lodestar.Features.SeqRec;
using Lodestar.Training.Loop;

namespace Lodestar.Training.SeqRec;

[JsonConverter(typeof(JsonStringEnumConverter<SeqRecModelKind>))]
public enum SeqRecModelKind
{
    /// <summary>Most-popular items for everyone.</summary>
    [JsonStringEnumMemberName("popular")] Popular,

    /// <summary>Item-to-item co-occurrence of the most recent history items.</summary>
    [JsonStringEnumMemberName("cooc")] Cooc,

    /// <summary>The SASRec-style causal transformer, trained on the Lodestar engine.</summary>
    [JsonStringEnumMemberName("sasrec")] Sasrec,
}

public sealed record SeqRecConfig
{
    /// <summary>The recommender to fit. Default sasrec.</summary>
    public SeqRecModelKind Model { get; init; } = SeqRecModelKind.Sasrec;

    /// <summary>Seed of every random choice of the run; the same seed and data give the same bytes. Default 42.</summary>
    public int Seed { get; init; } = 42;

    /// <summary>Settings of the co-occurrence baseline (used when Model is cooc).</summary>
    public CooccurrenceConfig Cooc { get; init; } = new();

    /// <summary>Shape and loss of the transformer (used when Model is sasrec).</summary>
    public SasRecConfig Sasrec { get; init; } = new();

    /// <summary>Optimisation of trainable models (used when Model is sasrec).</summary>
    public TrainingConfig Training { get; init; } = new();

    /// <summary>Evaluation protocol: history exclusion (default on, as ICLRec), batch size, threads.</summary>
    public RankingOptions Evaluation { get; init; } = new();

    public void Validate()
    {
        this.Require(Enum.IsDefined(Model), Model, "must be a known model");
        Cooc.Validate();
        Sasrec.Validate();
        Training.Validate();
        Evaluation.Validate();
    }

    /// <summary>Reads and validates a config file (RunJson.ReadConfig); errors name the file and the bad field.</summary>
    public static SeqRecConfig Load(string path) => RunJson.ReadConfig<SeqRecConfig>(path, c => c.Validate());
}
