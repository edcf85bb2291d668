// The lasting part of a generated world's true engagement of a member with a post: how well the post's topics meet
// the member's interest that day, and the post's quality. The simulator's engagement logit is this plus the member's
// bias, author affinity, the post's engagement so far and its position (FeedSimulator.Score); the audit weighs a
// retriever's picks by it, as it holds for any member–post pair and not only the impressions the world logged.
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Lodestar.Data.Vocabularies;

namespace Lodestar.Data.GroundTruth;

public sealed class FeedRelevance
{
    private readonly Dictionary<long, MemberTruth> _members;
    private readonly Dictionary<long, (int[] Topics, float[] Weights, float Quality)> _posts;
    private readonly int _topicCount;

    private FeedRelevance(Dictionary<long, MemberTruth> members, Dictionary<long, (int[], float[], float)> posts, int topicCount, int lifetimeDays, double halfLife)
    {
        _members = members;
        _posts = posts;
        _topicCount = topicCount;
        LifetimeDays = lifetimeDays;
        RecencyHalfLifeDays = halfLife;
    }

    /// <summary>The world's recency half-life: a live post's chance to be picked halves every this many days of age.</summary>
    public double RecencyHalfLifeDays { get; }

    /// <summary>The post's latent quality (PostTruth).</summary>
    public float Quality(long postId) => _posts.TryGetValue(postId, out var post) ? post.Quality : throw new ArgumentException($"post {postId} has no truth in the world");

    /// <summary>Days a post stays in the world's feed pool after the day it was created.</summary>
    public int LifetimeDays { get; }

    /// <summary>Whether the world could show <paramref name="post"/> on <paramref name="day"/>: created on one of the <see cref="LifetimeDays"/> days before (DayPools).</summary>
    public bool IsLive(Post post, int day) => post.Day >= day - LifetimeDays && post.Day < day;

    /// <summary>
    /// bias + 0.7 ln(K·match + 0.05) + 0.9 ln(quality): the member's bias and the interest and quality terms of the
    /// simulator's engagement logit, summed in that order (the simulator's bytes depend on it).
    /// </summary>
    public static double Logit(double bias, int topicCount, double match, double quality) => bias + (0.7 * Math.Log((topicCount * match) + 0.05)) + (0.9 * Math.Log(quality));

    /// <summary>Reads a generated world's member and post truth, its posts' topics and its vocabulary's topic order.</summary>
    public static FeedRelevance Open(string directory)
    {
        var manifestPath = Path.Combine(directory, WorldManifest.FileName);
        var manifest = ManifestFile.Read(directory);
        var topics = WorldVocabulary.OfManifest(manifest, manifestPath).Topics;
        var parameters = manifest.Parameters;
        var lifetime = parameters.ValueKind == System.Text.Json.JsonValueKind.Object && parameters.TryGetProperty("post_lifetime_days", out var days) && days.TryGetInt32(out var value)
            ? value : throw new ArgumentException($"{manifestPath}: parameters.post_lifetime_days is missing; the world's feed pool cannot be known");
        var halfLife = parameters.TryGetProperty("recency_half_life_days", out var half) && half.TryGetDouble(out var h)
            ? h : throw new ArgumentException($"{manifestPath}: parameters.recency_half_life_days is missing; the world's feed pool cannot be known");
        var topicIndex = topics.Select((t, i) => (t, i)).ToDictionary(x => x.t, x => x.i, StringComparer.Ordinal);
        var truth = Path.Combine(directory, DataFiles.GroundTruthDirectory);
        var members = JsonlReader.Read(Path.Combine(truth, TruthFiles.Members), TruthJsonContext.Default.MemberTruth).ToDictionary(m => m.MemberId);
        var quality = JsonlReader.Read(Path.Combine(truth, TruthFiles.Posts), TruthJsonContext.Default.PostTruth).ToDictionary(p => p.PostId, p => p.Quality);
        var postsPath = Path.Combine(directory, DataFiles.Posts);
        var posts = new Dictionary<long, (int[], float[], float)>();
        foreach (var post in JsonlReader.Read(postsPath, DataJson.Compact.Post))
        {
            var ids = post.Topics.Select(t => topicIndex.TryGetValue(t.Topic, out var i) ? i
                : throw new InvalidDataException($"{postsPath}: post {post.Id} has topic '{t.Topic}', which the world's vocabulary does not hold")).ToArray();
            posts[post.Id] = (ids, [.. post.Topics.Select(t => t.Weight)], quality.TryGetValue(post.Id, out var q) ? q
                : throw new InvalidDataException($"{Path.Combine(truth, TruthFiles.Posts)}: no quality for post {post.Id}"));
        }
        return new FeedRelevance(members, posts, topics.Count, lifetime, halfLife);
    }

    /// <summary>The world's relevance when <paramref name="directory"/> holds a generated world's member and post truth; null for
    /// a log without it (an imported one). A truth directory that is there but broken still fails by name.</summary>
    public static FeedRelevance? OpenIfGenerated(string directory)
    {
        var truth = Path.Combine(directory, DataFiles.GroundTruthDirectory);
        return File.Exists(Path.Combine(truth, TruthFiles.Members)) || File.Exists(Path.Combine(truth, TruthFiles.Posts)) ? Open(directory) : null;
    }

    /// <summary>exp(<see cref="Logit"/>) without the member's bias, of the member's interest at the middle of <paramref name="day"/> and the post.</summary>
    public double Merit(long memberId, long postId, int day)
    {
        var member = _members.GetValueOrDefault(memberId) ?? throw new ArgumentException($"member {memberId} has no truth in the world");
        var (topics, weights, quality) = _posts.TryGetValue(postId, out var post) ? post : throw new ArgumentException($"post {postId} has no truth in the world");
        var interest = member.InterestOn(day + 0.5);
        double match = 0;
        for (var k = 0; k < topics.Length; k++)
        {
            match += weights[k] * interest[topics[k]];
        }
        return Math.Exp(Logit(0, _topicCount, match, quality));
    }
}
