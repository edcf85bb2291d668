// The yardsticks a feed ranker's test figures stand beside: popularity (each candidate's engagement rate before the
// day, the same score for all six tasks: what a ranker with no model of the member does) and the oracle (the world's
// true action probabilities of each impression, which no model sees: the ceiling).
using Lodestar.Data.GroundTruth;
using Lodestar.Features.FeedRanking;
using Lodestar.Features.Retrieval;
using Lodestar.Models.FeedRanking;

namespace Lodestar.Evaluation.FeedRanking;

public static class FeedReferences
{
    /// <summary>The reference names, as metric targets: `auc/click/popularity`.</summary>
    public const string Popularity = "popularity";

    public const string Oracle = "oracle";

    /// <summary>(K·6): each candidate's (engagements + 1) / (impressions + 2) before the day, for every task.</summary>
    public static float[] PopularityScores(FeedLog log, FeedMemberDay day)
    {
        var scores = new float[day.Candidates.Length * FeedTasks.Count];
        for (var k = 0; k < day.Candidates.Length; k++)
        {
            var counts = log.CountsBefore(day.Candidates[k].Id, day.Day);
            scores.AsSpan(k * FeedTasks.Count, FeedTasks.Count).Fill((float)((counts.Positives + 1.0) / (counts.Impressions + 2.0)));
        }
        return scores;
    }

    /// <summary>
    /// The true probabilities (6 each, FeedTasks order) of the impressions in <paramref name="wanted"/>, from a world's
    /// truth/impression_probabilities.bin; throws naming the file when one of them is not in it.
    /// </summary>
    public static Dictionary<long, float[]> LoadTruth(string path, IReadOnlySet<long> wanted)
    {
        var truth = new Dictionary<long, float[]>(wanted.Count);
        foreach (var row in ImpressionProbabilities.ReadAll(path))
        {
            if (wanted.Contains(row.ImpressionId))
            {
                truth[row.ImpressionId] = [row.Click, row.Skip, row.LongDwell, row.Like, row.Comment, row.Share];
            }
        }
        if (truth.Count != wanted.Count)
        {
            var missing = wanted.First(id => !truth.ContainsKey(id));
            throw new InvalidDataException($"{path}: no true probabilities for impression {missing} ({wanted.Count - truth.Count} of {wanted.Count} missing)");
        }
        return truth;
    }

    /// <summary>(K·6): the day's impressions' true probabilities.</summary>
    public static float[] OracleScores(IReadOnlyDictionary<long, float[]> truth, FeedMemberDay day) =>
        [.. day.ImpressionIds.SelectMany(id => truth[id])];
}
