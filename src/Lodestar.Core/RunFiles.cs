// The files every training run directory holds, named once: the trainer writes them, and the programs that only
// serve a trained model (the nearline pipeline, the HTTP service) read them without referencing the trainer.
namespace Lodestar.Core;

public static class RunFiles
{
    /// <summary>The run record: task, resolved config, data inputs and counts, per-epoch metrics (JSON, snake_case).</summary>
    public const string Record = "run.json";

    /// <summary>The checkpoint of the epoch with the best validation figure.</summary>
    public const string Best = "best.safetensors";

    /// <summary>The checkpoint a resumed run continues from.</summary>
    public const string Last = "last.safetensors";
}
