// The feed and job candidate pools of one simulated day, built from the state at the end of the previous
// day: live posts weighted by quality x (1 + engagement)^alpha x recency decay, per topic and overall,
// posts by author, and open jobs by family. Read-only while the day's shards run in parallel.
using Lodestar.Core;
namespace Lodestar.Data.Generation;

internal sealed class DayPools
{
    private readonly int[][] _topicPosts;
    private readonly double[][] _topicCumulative;
    private readonly int[] _trendingPosts;
    private readonly double[] _trendingCumulative;
    private readonly Dictionary<int, int[]> _postsByAuthor;

    public DayPools(WorldModel world, int day, int[] postEngagement)
    {
        var config = world.Config;
        // Posts created on days [day - lifetime, day - 1] are live; posts are sorted by time, so this is a range.
        FirstLivePost = SortedSearch.LowerBound(world.PostDay, day - config.PostLifetimeDays);
        EndLivePost = SortedSearch.LowerBound(world.PostDay, day);
        var live = EndLivePost - FirstLivePost;
        var exposure = new double[live];
        var topicLists = new List<int>[world.TopicCount];
        for (var t = 0; t < topicLists.Length; t++)
        {
            topicLists[t] = [];
        }
        var byAuthor = new Dictionary<int, List<int>>();
        for (var i = 0; i < live; i++)
        {
            var p = FirstLivePost + i;
            var age = day - world.PostDay[p] - 0.5;
            exposure[i] = world.PostQuality[p] * Math.Pow(1 + postEngagement[p], config.PopularityExponent) * Math.Pow(0.5, age / config.RecencyHalfLifeDays);
            for (var k = 0; k < WorldModel.TopicsPerPost; k++)
            {
                if (world.PostTopicWeights[p * WorldModel.TopicsPerPost + k] > 0)
                {
                    topicLists[world.PostTopics[p * WorldModel.TopicsPerPost + k]].Add(p);
                }
            }
            var author = AuthorKey(world, p);
            if (!byAuthor.TryGetValue(author, out var list))
            {
                byAuthor[author] = list = [];
            }
            list.Add(p);
        }
        _topicPosts = new int[topicLists.Length][];
        _topicCumulative = new double[topicLists.Length][];
        for (var t = 0; t < topicLists.Length; t++)
        {
            var posts = topicLists[t].ToArray();
            var cumulative = new double[posts.Length];
            double total = 0;
            for (var i = 0; i < posts.Length; i++)
            {
                var p = posts[i];
                total += exposure[p - FirstLivePost] * TopicWeight(world, p, t);
                cumulative[i] = total;
            }
            _topicPosts[t] = posts;
            _topicCumulative[t] = cumulative;
        }
        _trendingPosts = [.. Enumerable.Range(FirstLivePost, live)];
        _trendingCumulative = new double[live];
        double sum = 0;
        for (var i = 0; i < live; i++)
        {
            sum += exposure[i];
            _trendingCumulative[i] = sum;
        }
        _postsByAuthor = byAuthor.ToDictionary(kv => kv.Key, kv => kv.Value.ToArray());

        FirstOpenJob = SortedSearch.LowerBound(world.JobPostedDay, day - config.JobLifetimeDays + 1);
        EndOpenJob = SortedSearch.LowerBound(world.JobPostedDay, day + 1);
        var families = new List<int>[world.Vocabulary.Families.Count];
        for (var f = 0; f < families.Length; f++)
        {
            families[f] = [];
        }
        for (var j = FirstOpenJob; j < EndOpenJob; j++)
        {
            families[world.JobFamily(j)].Add(j);
        }
        OpenJobsByFamily = [.. families.Select(l => l.ToArray())];
    }

    public int FirstLivePost { get; }

    public int EndLivePost { get; }

    public int FirstOpenJob { get; }

    public int EndOpenJob { get; }

    public int[][] OpenJobsByFamily { get; }

    /// <summary>Authors are keyed as member index + 1 (positive) or -(company index + 1) (negative); 0 is no author.</summary>
    public static int AuthorKey(WorldModel world, int p) =>
        world.PostAuthorMember[p] >= 0 ? world.PostAuthorMember[p] + 1 : -(world.PostAuthorCompany[p] + 1);

    public int SampleTopic(int topic, SeededRandom rng) => Sample(_topicPosts[topic], _topicCumulative[topic], rng);

    public int SampleTrending(SeededRandom rng) => Sample(_trendingPosts, _trendingCumulative, rng);

    /// <summary>A live post by <paramref name="authorKey"/> (uniformly), or -1 when the author has none.</summary>
    public int SampleByAuthor(int authorKey, SeededRandom rng) =>
        _postsByAuthor.TryGetValue(authorKey, out var posts) ? posts[rng.NextInt(posts.Length)] : -1;

    private static float TopicWeight(WorldModel world, int p, int topic)
    {
        for (var k = 0; k < WorldModel.TopicsPerPost; k++)
        {
            if (world.PostTopics[p * WorldModel.TopicsPerPost + k] == topic && world.PostTopicWeights[p * WorldModel.TopicsPerPost + k] > 0)
            {
                return world.PostTopicWeights[p * WorldModel.TopicsPerPost + k];
            }
        }
        return 0;
    }

    private static int Sample(int[] posts, double[] cumulative, SeededRandom rng)
    {
        if (posts.Length == 0 || cumulative[^1] <= 0)
        {
            return -1;
        }
        var target = rng.NextDouble() * cumulative[^1];
        var i = Array.BinarySearch(cumulative, target);
        i = i < 0 ? ~i : i + 1;
        return posts[Math.Min(i, posts.Length - 1)];
    }
}
