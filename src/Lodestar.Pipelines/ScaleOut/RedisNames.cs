// The Redis keys of the scale-out deployment, under one prefix so several pipelines can share a server: the streams
// between stages (prompt changes split by priority, so a worker reads new posts before anything else), the consumer
// groups reading them, and the hashes that are the online prompt and embedding stores serving reads.
using Lodestar.Pipelines.Store;
using StackExchange.Redis;

namespace Lodestar.Pipelines.ScaleOut;

public sealed record RedisNames(string Prefix = "lodestar:nearline:")
{
    /// <summary>The group of embedding workers on the prompt-change streams.</summary>
    public const string EmbedGroup = "embed";

    /// <summary>Prompt changes of one priority (2 new posts, 1 new members, 0 refreshes).</summary>
    public RedisKey PromptChanges(int priority) => $"{Prefix}prompt-changes:{priority}";

    /// <summary>The priorities a worker reads, highest first.</summary>
    public static readonly int[] Priorities = [2, 1, 0];

    /// <summary>Post embeddings stored and posts deleted, in order: what every serving replica's index reads.</summary>
    public RedisKey Embeddings => $"{Prefix}embeddings";

    /// <summary>The online prompt store: fields version, text, tokens.</summary>
    public RedisKey Prompt(EntityKey key) => $"{Prefix}prompt:{(int)key.Kind}:{key.Id}";

    /// <summary>The online embedding store: fields version, vector (float32 little-endian).</summary>
    public RedisKey Embedding(EntityKey key) => $"{Prefix}embedding:{(int)key.Kind}:{key.Id}";
}
