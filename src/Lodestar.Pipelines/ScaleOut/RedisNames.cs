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

    /// <summary>The group of prompt workers on the event stream (one holds the lease and applies at a time).</summary>
    public const string PromptGroup = "prompts";

    /// <summary>The group of one serving replica's index on the embeddings stream.</summary>
    public static string IndexGroup(string replica) => $"index:{replica}";

    /// <summary>Events as they arrive: fields id, ingested_us, body (the JSON line).</summary>
    public RedisKey Events => $"{Prefix}events";

    /// <summary>How many events the event stream has taken in all: the sequence number a server answers an append with.</summary>
    public RedisKey EventsTaken => $"{Prefix}events-taken";

    /// <summary>How many events of a replayed stream have been appended.</summary>
    public RedisKey ReplayPosition => $"{Prefix}replay-position";

    /// <summary>Which prompt worker applies events now, and until when (a key with a time to live).</summary>
    public RedisKey PromptLease => $"{Prefix}lease:prompts";

    /// <summary>The ledger of applied event ids.</summary>
    public RedisKey Applied => $"{Prefix}applied";

    /// <summary>Events refused, with the reason.</summary>
    public RedisKey DeadLetters => $"{Prefix}dead-letters";

    /// <summary>The prompt stage's state: member and post JSON by id, deleted post ids, counters by post, each member's
    /// listed history items (and the set of members that have any).</summary>
    public RedisKey Members => $"{Prefix}members";

    public RedisKey Posts => $"{Prefix}posts";

    public RedisKey DeletedPosts => $"{Prefix}deleted-posts";

    public RedisKey Counts => $"{Prefix}counts";

    public RedisKey History(long member) => $"{Prefix}history:{member}";

    public RedisKey HistoryMembers => $"{Prefix}history-members";

    /// <summary>Every impression a member was shown, in the order applied (what a server reads: seen posts, history features).</summary>
    public RedisKey Seen(long member) => $"{Prefix}seen:{member}";

    /// <summary>Member ids, each scored by itself, so a server pages through members in id order.</summary>
    public RedisKey MemberIds => $"{Prefix}member-ids";

    /// <summary>The newest time (Unix seconds) of any applied post or impression.</summary>
    public RedisKey LatestTime => $"{Prefix}latest-time";

    /// <summary>Every prompt's version and text in one hash ("kind:id" → "version\ntext"), what a prompt worker loads.</summary>
    public RedisKey PromptTexts => $"{Prefix}prompt-texts";

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
