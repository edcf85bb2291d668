// The slots a task fills to be trained by the one training loop: its model and optimizer, how an epoch is
// cut into batches, the loss of a batch, and its validation and test metrics. Everything else (schedule,
// clipping, early stopping, checkpoints, resume, the run record) is the loop's.
using Lodestar.Core;
using Lodestar.Core.Progress;
using Lodestar.Nn;
using Lodestar.Nn.Optim;
using Lodestar.Tensors;

namespace Lodestar.Training.Loop;

public interface ITrainingTask<TBatch>
{
    Module Model { get; }

    AdamW Optimizer { get; }

    /// <summary>The checkpoint kind of the model (ModelCheckpoint), checked when a run resumes.</summary>
    string CheckpointKind { get; }

    /// <summary>The validation metric that picks the best epoch and stops early.</summary>
    SelectionMetric Selection { get; }

    /// <summary>Batches in every epoch (the cosine schedule's length is this times the epochs).</summary>
    int BatchesPerEpoch { get; }

    /// <summary>The generator of 1-based <paramref name="epoch"/>: it cuts the epoch into batches and then draws what
    /// the steps draw (sampled negatives); its state is saved in every checkpoint, so a resumed epoch draws the same.</summary>
    SeededRandom EpochRandom(int epoch);

    /// <summary>The batches of <paramref name="epoch"/>, in order, drawn from <paramref name="random"/> (exactly <see cref="BatchesPerEpoch"/>).</summary>
    IReadOnlyList<TBatch> Batches(int epoch, SeededRandom random);

    /// <summary>The scalar loss of one batch, recorded on <paramref name="graph"/>, and the weight of its value in the
    /// epoch's mean training loss (labels in it, or 1).</summary>
    (Tensor Loss, double Weight) Loss(Graph graph, TBatch batch, SeededRandom random);

    /// <summary>Validation metrics by name (the model is left in evaluation mode).</summary>
    IReadOnlyDictionary<string, double> Validate(IProgressReporter? progress);

    /// <summary>Test metrics by name of the model as it is (the loop loads the best weights first).</summary>
    IReadOnlyDictionary<string, double> Test(IProgressReporter? progress);

    /// <summary>Writes the model's checkpoint to <paramref name="path"/>, with the training state when given.</summary>
    void Save(string path, TrainingSnapshot? training);

    /// <summary>What the task adds to its run's report after the test figures, from its last <see cref="Test"/>; none by default.</summary>
    ReportSections? TestReport() => null;
}

/// <summary>Sections a task adds to its run's report, and the numbers they show (written into report.json beside the record).</summary>
public sealed record ReportSections(Action<Evaluation.Reports.HtmlReport> Add, object Numbers);
