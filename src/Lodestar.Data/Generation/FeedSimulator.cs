// Simulates one shard of members for one day: feed sessions whose impressions come from the member's
// current interests, authors they engaged with, and the rich-get-richer trending pool; true action
// probabilities from a logistic model of interest match, quality, affinity, popularity and position;
// and sampled actions. Job browsing and recruiter searches live in FeedSimulator.Jobs.cs.
using Lodestar.Core;
using Lodestar.Data.Schema;

namespace Lodestar.Data.Generation;

internal sealed partial class FeedSimulator(WorldModel world, int[] affinityRing, int[] postEngagement)
{
    public const int AffinitySlots = 4;

    // Per-format logit offsets (text, article, image, video, poll) for click, long dwell, like and comment.
    private static readonly float[] FormatClick = [-0.2f, 0.3f, 0f, 0.1f, -0.3f];
    private static readonly float[] FormatDwell = [0f, 0.3f, -0.3f, 0.5f, -0.4f];
    private static readonly float[] FormatLike = [0f, -0.1f, 0.2f, 0.1f, -0.2f];
    private static readonly float[] FormatComment = [0.1f, 0f, -0.1f, -0.1f, 0.8f];

    // Base logits: impressions >> clicks > long dwells > likes > comments > shares.
    private const float ClickBase = -4.1f, DwellBase = -4.7f, LikeBase = -5.3f, CommentBase = -6.8f, ShareBase = -7.6f;

    private WorldModel W => world;

    public ShardDay Run(int shard, int day, DayPools pools)
    {
        var config = W.Config;
        var result = new ShardDay();
        var rng = SeededRandom.For(config.Seed, Streams.Day, (long)day * 1_000_003 + shard);
        var first = shard * config.MembersPerShard;
        var end = Math.Min(W.MemberCount, first + config.MembersPerShard);
        Span<float> interest = stackalloc float[W.TopicCount];
        Span<int> session = stackalloc int[64];
        var dayStart = config.StartUnixSeconds + day * 86400L;
        for (var m = first; m < end; m++)
        {
            if (day < W.MemberJoinDay[m] || W.SessionRate[m] <= 0)
            {
                continue;
            }
            var sessions = rng.NextPoisson(W.SessionRate[m]);
            if (sessions == 0)
            {
                continue;
            }
            W.InterestOn(m, day + 0.5, interest);
            for (var s = 0; s < sessions; s++)
            {
                var second = Math.Clamp((int)(W.PreferredHour[m] * 3600 + 9000 * rng.NextGaussian()), 0, 86400 - 1200);
                var start = dayStart + second;
                var count = Math.Min(session.Length, 1 + rng.NextPoisson(config.ImpressionsPerSession - 1));
                RunSession(m, day, start, count, interest, session, pools, rng, result);
                if (rng.Bernoulli(W.JobSeeking[m]))
                {
                    BrowseJobs(m, day, start + 600, pools, rng, result);
                }
            }
        }
        RunRecruiterSearches(first, end, day, dayStart, pools, rng, result);
        return result;
    }

    private void RunSession(int m, int day, long start, int count, ReadOnlySpan<float> interest, Span<int> session, DayPools pools, SeededRandom rng, ShardDay result)
    {
        var shown = 0;
        var sessionFirst = result.Impressions.Count;
        for (var attempt = 0; attempt < count * 3 && shown < count; attempt++)
        {
            var p = PickPost(m, interest, pools, rng);
            if (p < 0 || W.PostAuthorMember[p] == m || session[..shown].Contains(p))
            {
                continue;
            }
            session[shown] = p;
            var row = Score(m, p, shown, interest);
            row.SessionFirst = sessionFirst;
            row.Time = start + 8L * shown;
            SampleActions(ref row, rng);
            result.Impressions.Add(row);
            if ((row.Actions & (Actions.Like | Actions.Comment | Actions.Share)) != 0)
            {
                RememberAuthor(m, DayPools.AuthorKey(W, p));
            }
            shown++;
        }
    }

    private int PickPost(int m, ReadOnlySpan<float> interest, DayPools pools, SeededRandom rng)
    {
        var u = rng.NextDouble();
        if (u < W.Config.AffinityShare)
        {
            var author = affinityRing[m * AffinitySlots + rng.NextInt(AffinitySlots)];
            if (author != 0)
            {
                var p = pools.SampleByAuthor(author, rng);
                if (p >= 0)
                {
                    return p;
                }
            }
        }
        else if (u < W.Config.AffinityShare + W.Config.TrendingShare)
        {
            return pools.SampleTrending(rng);
        }
        var topic = rng.PickWeighted(interest);
        var post = pools.SampleTopic(topic, rng);
        return post >= 0 ? post : pools.SampleTrending(rng);
    }

    /// <summary>True action probabilities: a shared engagement logit
    /// e = bias_m + 0.7 ln(K * match + 0.05) + 0.9 ln(quality) + 0.8 affinity + 0.1 ln(1 + engagement) - 0.04 position,
    /// then per action sigmoid(e + base + format offset). Skip is the chance of no positive action times sigmoid(0.3 - 0.8 e).</summary>
    private ImpressionRow Score(int m, int p, int position, ReadOnlySpan<float> interest)
    {
        double match = 0;
        for (var k = 0; k < WorldModel.TopicsPerPost; k++)
        {
            match += W.PostTopicWeights[p * WorldModel.TopicsPerPost + k] * interest[W.PostTopics[p * WorldModel.TopicsPerPost + k]];
        }
        var author = DayPools.AuthorKey(W, p);
        var affinity = IsRemembered(m, author) || (author > 0 && W.MemberCompany[author - 1] == W.MemberCompany[m]) ? 1.0 : 0.0;
        var e = GroundTruth.FeedRelevance.Logit(W.EngagementBias[m], W.TopicCount, match, W.PostQuality[p])
            + 0.8 * affinity + 0.1 * Math.Log(1 + postEngagement[p]) - 0.04 * position;
        var format = (int)W.PostFormats[p];
        var row = new ImpressionRow
        {
            Member = m,
            Post = p,
            Position = position,
            PClick = Sigmoid(e + ClickBase + FormatClick[format]),
            PLongDwell = Sigmoid(e + DwellBase + FormatDwell[format]),
            PLike = Sigmoid(e + LikeBase + FormatLike[format]),
            PComment = Sigmoid(e + CommentBase + FormatComment[format]),
            PShare = Sigmoid(e + ShareBase),
        };
        var none = (1 - row.PClick) * (1 - row.PLongDwell) * (1 - row.PLike) * (1 - row.PComment) * (1 - row.PShare);
        row.PSkip = none * Sigmoid(0.3 - 0.8 * e);
        return row;
    }

    private static void SampleActions(ref ImpressionRow row, SeededRandom rng)
    {
        var actions = Actions.None;
        if (rng.NextDouble() < row.PClick)
        {
            actions |= Actions.Click;
        }
        if (rng.NextDouble() < row.PLongDwell)
        {
            actions |= Actions.LongDwell;
        }
        if (rng.NextDouble() < row.PLike)
        {
            actions |= Actions.Like;
        }
        if (rng.NextDouble() < row.PComment)
        {
            actions |= Actions.Comment;
        }
        if (rng.NextDouble() < row.PShare)
        {
            actions |= Actions.Share;
        }
        var none = (1 - row.PClick) * (1 - row.PLongDwell) * (1 - row.PLike) * (1 - row.PComment) * (1 - row.PShare);
        // Skip given no positive action has probability PSkip / P(none), so its marginal is exactly PSkip.
        if (actions == Actions.None && rng.NextDouble() * none < row.PSkip)
        {
            actions |= Actions.Skip;
        }
        double dwell = (actions & Actions.Skip) != 0 ? 0.3 + 1.2 * rng.NextDouble()
            : (actions & Actions.LongDwell) != 0 ? 20 - 30 * Math.Log(1 - rng.NextDouble())
            : 2 + 6 * rng.NextDouble();
        if ((actions & Actions.Click) != 0)
        {
            dwell += 5 - 20 * Math.Log(1 - rng.NextDouble());
        }
        row.Actions = actions;
        row.Dwell = MathF.Round((float)dwell, 1);
    }

    private bool IsRemembered(int m, int author)
    {
        var ring = affinityRing.AsSpan(m * AffinitySlots, AffinitySlots);
        return ring.Contains(author);
    }

    private void RememberAuthor(int m, int author)
    {
        var ring = affinityRing.AsSpan(m * AffinitySlots, AffinitySlots);
        if (ring.Contains(author))
        {
            return;
        }
        // Shift out the oldest author: slot 0 is the most recent.
        ring[..^1].CopyTo(ring[1..]);
        ring[0] = author;
    }

    private static float Sigmoid(double x) => (float)(1.0 / (1.0 + Math.Exp(-x)));
}
