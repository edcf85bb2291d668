// The record of one sequential-recommendation run (run.json in the run directory): resolved config, data
// provenance, validation metrics per epoch, the best epoch, test metrics and wall time. Written atomically.
using System.Text.Json;
using Lodestar.Core;
using Lodestar.Data.Storage;
using Lodestar.Evaluation;
using Lodestar.Features.SeqRec;

namespace Lodestar.Training;

/// <summary>One epoch: mean training loss (null for models fitted in one pass) and validation metrics.</summary>
public sealed record EpochRecord(int Epoch, double? TrainLoss, IReadOnlyDictionary<string, double> Validation, double Seconds);

public sealed record RunRecord
{
    public const string FileName = "run.json";

    /// <summary>"running" while training, "finished" once the test metrics are in.</summary>
    public required string Status { get; init; }

    public required SeqRecConfig Config { get; init; }

    public required DataProvenance Data { get; init; }

    public IReadOnlyList<EpochRecord> Epochs { get; init; } = [];

    /// <summary>1-based epoch with the best validation NDCG@10 (0 before the first epoch).</summary>
    public int BestEpoch { get; init; }

    public IReadOnlyDictionary<string, double>? BestValidation { get; init; }

    /// <summary>Test metrics of the best epoch's model.</summary>
    public IReadOnlyDictionary<string, double>? Test { get; init; }

    /// <summary>True when each user's history items were removed from that user's ranking.</summary>
    public bool HistoryExcluded { get; init; }

    public string TieRule { get; init; } = FullRankingEvaluator.PessimisticTies;

    /// <summary>Seconds from the start of the run to the end of the best epoch.</summary>
    public double SecondsToBestEpoch { get; init; }

    public double WallSeconds { get; init; }

    /// <summary>Checkpoint file of the best model, relative to the run directory (null for refit-on-load baselines).</summary>
    public string? Checkpoint { get; init; }

    /// <summary>Writes run.json into <paramref name="runDirectory"/> atomically.</summary>
    public void Write(string runDirectory) =>
        AtomicFile.WriteAllBytes(Path.Combine(runDirectory, FileName), JsonSerializer.SerializeToUtf8Bytes(this, SeqRecConfig.Json));

    public static RunRecord Read(string runDirectory)
    {
        var path = Path.Combine(runDirectory, FileName);
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"{path}: no run record (is {runDirectory} a run directory made by `lodestar seqrec train`?)", path);
        }
        try
        {
            return JsonSerializer.Deserialize<RunRecord>(File.ReadAllText(path), SeqRecConfig.Json)
                ?? throw new ArgumentException($"{path}: the run record is null");
        }
        catch (JsonException ex)
        {
            throw new ArgumentException($"{path}: line {(ex.LineNumber ?? 0) + 1}, field {ex.Path}: {ex.Message.Split(" Path:")[0]}", ex);
        }
    }
}
