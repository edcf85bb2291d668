// Creator exposure of several rankers over the same lists, by creator grouping: author kind (member or company),
// tenure (new or established creator), and the author's protected attributes from the audit file. Shared by the feed
// ranker's audit (a member-day's impressions) and the retriever's (every post alive that day); the injected rankers
// that must be flagged, and the seeded random order, are built here for both.
using Lodestar.Core;
using Lodestar.Data.GroundTruth;
using Lodestar.Data.Schema;
using Lodestar.Evaluation.Fairness;

namespace Lodestar.Experiments.Audit;

public sealed class CreatorExposure
{
    /// <summary>The creator group the injected rankers favour: an audit-file group, which no model input holds.</summary>
    public const string BoostedGroup = "male";

    /// <summary>The mild injected boost: this share of the list's score range added to the boosted group's posts.</summary>
    public const double MildBoost = 0.2;

    /// <summary>A creator is new on a day when their first post in the world is fewer days before it than this.</summary>
    public const int NewCreatorDays = 7;

    /// <summary>Resamples of the lists behind each group's interval.</summary>
    public const int Resamples = 200;

    private const ulong RandomOrderStream = 0x0DE5;

    private readonly IReadOnlyDictionary<long, Post> _posts;
    private readonly (string Name, Func<Post, int, string> Group)[] _groupings;
    private readonly (string Name, string Description)[] _rankers;
    private readonly ExposureAudit[][] _audits;
    private readonly PositionAttention _attention;

    public CreatorExposure(IReadOnlyDictionary<long, Post> posts, IReadOnlyDictionary<long, MemberAudit> audit, IEnumerable<(string Name, string Description)> rankers, PositionAttention attention)
    {
        _posts = posts;
        var firstPostDay = new Dictionary<long, int>();
        foreach (var post in posts.Values)
        {
            var author = Author(post);
            if (author != 0 && (!firstPostDay.TryGetValue(author, out var first) || post.Day < first))
            {
                firstPostDay[author] = post.Day;
            }
        }
        _groupings =
        [
            ("author-kind", (post, _) => post.AuthorMemberId is not null ? "member" : post.AuthorCompanyId is not null ? "company" : "none"),
            ("creator-tenure", (post, day) => Author(post) == 0 ? "none" : day - firstPostDay[Author(post)] < NewCreatorDays ? "new" : "established"),
            ("author-gender", (post, _) => post.AuthorMemberId is { } m ? audit.GetValueOrDefault(m)?.Gender ?? "unknown" : "company"),
            ("author-age", (post, _) => post.AuthorMemberId is { } m ? audit.GetValueOrDefault(m)?.AgeBand ?? "unknown" : "company"),
        ];
        _rankers = [.. rankers];
        _attention = attention;
        _audits = [.. _rankers.Select(_ => _groupings.Select(_ => new ExposureAudit(attention)).ToArray())];
    }

    /// <summary>How attention falls with rank, in words.</summary>
    public string Attention => _attention.Name;

    /// <summary>The injected rankers' descriptions, to list after a task's own rankers.</summary>
    public static IEnumerable<(string Name, string Description)> Injected(string baseRanker) =>
    [
        ("injected-first", $"the {baseRanker}'s order with every post by a {BoostedGroup} author moved above the rest: must be flagged"),
        ("injected-mild", $"the {baseRanker}'s score plus {MildBoost} of the list's score range for posts by {BoostedGroup} authors"),
    ];

    /// <summary>The groups of a list's posts on <paramref name="day"/>, per grouping.</summary>
    public string[][] GroupsOf(IReadOnlyList<long> posts, int day) =>
        [.. _groupings.Select(g => posts.Select(p => g.Group(_posts[p], day)).ToArray())];

    /// <summary>The authors' genders (the grouping the injected rankers boost) among <paramref name="groups"/>.</summary>
    public static string[] Genders(string[][] groups) => groups[2];

    /// <summary>Adds one list as ranker <paramref name="ranker"/> (its index in the constructor's list) scored it.</summary>
    public void Add(int ranker, double[] scores, double[] merits, string[][] groups)
    {
        for (var g = 0; g < _groupings.Length; g++)
        {
            _audits[ranker][g].Add(scores, merits, groups[g]);
        }
    }

    public List<RankerAudit> Results(FairnessThresholds thresholds, ulong seed)
    {
        var result = new List<RankerAudit>();
        for (var r = 0; r < _rankers.Length; r++)
        {
            var summaries = new Dictionary<string, ExposureSummary>();
            var flags = new List<string>();
            for (var g = 0; g < _groupings.Length; g++)
            {
                var summary = _audits[r][g].Summary(Resamples, seed);
                summaries[_groupings[g].Name] = summary;
                flags.AddRange(summary.Groups.Where(thresholds.ExposureFlagged).Select(x => FormattableString.Invariant($"{_groupings[g].Name}: {x.Group} {x.TargetRatio:F2}")));
            }
            result.Add(new RankerAudit(_rankers[r].Name, _rankers[r].Description, summaries, flags));
        }
        return result;
    }

    /// <summary>The scores with the boosted group's raised by <paramref name="share"/> of the list's range (∞: above every other post).</summary>
    public static double[] Boost(double[] scores, string[] genders, double share)
    {
        var range = scores.Length == 0 ? 0 : scores.Max() - scores.Min();
        // A boost above every other post: the range plus one lifts the lowest boosted post over the highest other one.
        var lift = double.IsPositiveInfinity(share) ? range + 1 : share * range;
        return [.. scores.Select((s, i) => genders[i] == BoostedGroup ? s + lift : s)];
    }

    /// <summary>Uniform scores from a stream of (seed, day, member): the same order on every run.</summary>
    public static double[] RandomOrder(ulong seed, int day, long member, int count)
    {
        var random = SeededRandom.For(SeededRandom.DeriveSeed(seed, RandomOrderStream, (ulong)(uint)day), 0, member);
        return [.. Enumerable.Range(0, count).Select(_ => random.NextDouble())];
    }

    private static long Author(Post post) => post.AuthorMemberId ?? (post.AuthorCompanyId is { } c ? -c : 0);
}
