// The settings of a nearline deployment: how long the embedding stage gathers changes before it embeds them (freshness
// against efficiency), how large its batches may grow, and how deep each queue between stages may get before the
// stage feeding it waits (backpressure, so a producer faster than the pipeline cannot grow memory or disk without bound).
using Lodestar.Core;

namespace Lodestar.Pipelines.Embedded;

public sealed record NearlineOptions
{
    /// <summary>Milliseconds the embedding stage waits after the first pending change before it embeds the window's changes.</summary>
    public int WindowMilliseconds { get; init; } = 250;

    /// <summary>Most prompts in one embedding batch; a window that fills it is embedded at once.</summary>
    public int MaxEmbedBatch { get; init; } = 256;

    /// <summary>Events applied in one prompt-stage transaction.</summary>
    public int EventBatch { get; init; } = 512;

    /// <summary>Index operations applied at once.</summary>
    public int IndexBatch { get; init; } = 1024;

    /// <summary>Events appended but not yet applied before appends wait.</summary>
    public int EventQueueCapacity { get; init; } = 8192;

    /// <summary>Prompt changes not yet embedded before the prompt stage waits.</summary>
    public int ChangeQueueCapacity { get; init; } = 8192;

    /// <summary>Index operations not yet applied before the embedding stage waits.</summary>
    public int IndexQueueCapacity { get; init; } = 8192;

    public void Validate()
    {
        this.Require(WindowMilliseconds is >= 0 and <= 60_000, WindowMilliseconds, "must be in [0, 60000] ms");
        this.Require(MaxEmbedBatch is >= 1 and <= 4096, MaxEmbedBatch, "must be in [1, 4096]");
        this.Require(EventBatch is >= 1 and <= 65_536, EventBatch, "must be in [1, 65536]");
        this.Require(IndexBatch is >= 1 and <= 65_536, IndexBatch, "must be in [1, 65536]");
        this.Require(EventQueueCapacity >= EventBatch, EventQueueCapacity, "must hold at least one event batch");
        this.Require(ChangeQueueCapacity >= MaxEmbedBatch, ChangeQueueCapacity, "must hold at least one embedding batch");
        this.Require(IndexQueueCapacity >= 1, IndexQueueCapacity, "must be at least 1");
    }
}
