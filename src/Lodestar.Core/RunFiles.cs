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

/// <summary>The folders of a models directory, the set a server loads together: the trainer's runs write into them.</summary>
public static class ModelFolders
{
    /// <summary>A feed-retrieval run: the shared member and post encoder.</summary>
    public const string Retrieval = "retrieval";

    /// <summary>A feed-ranking run: the generative ranker over post and action sequences.</summary>
    public const string FeedRanker = "feed-ranker";

    /// <summary>A job-matching student run: the distilled cross-encoder that scores a member's job candidates.</summary>
    public const string JobStudent = "job-student";
}
