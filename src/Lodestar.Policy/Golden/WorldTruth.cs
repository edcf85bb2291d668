// Reads the pairs and the true match quality a generated world holds (truth/job_match_truth.jsonl) and
// names each truth dimension after the default job-matching policy's dimension.
using Lodestar.Data.GroundTruth;
using Lodestar.Data.Schema;
using Lodestar.Data.Storage;
using Lodestar.Policy.Labeling;
using Lodestar.Text.Prompts;

namespace Lodestar.Policy.Golden;

public static class WorldTruth
{
    public static string PathIn(string worldDirectory) => Path.Combine(worldDirectory, DataFiles.GroundTruthDirectory, TruthFiles.JobMatches);

    /// <summary>Every judged pair of the world's ground truth whose member and job exist, in file order.</summary>
    public static List<TruthPair> Read(WorldSnapshot world)
    {
        var path = PathIn(world.Directory);
        var pairs = new List<TruthPair>();
        long line = 0;
        foreach (var truth in JsonlReader.Read(path, TruthJsonContext.Default.MatchTruth))
        {
            line++;
            if (!world.Members.TryGetValue(truth.MemberId, out var member) || !world.Jobs.TryGetValue(truth.JobId, out var job))
            {
                throw new DataFormatException(path, line, world.Members.ContainsKey(truth.MemberId) ? "job_id" : "member_id", $"pair {truth.MemberId},{truth.JobId} names a record missing from {world.Directory}");
            }
            pairs.Add(new TruthPair(new MatchPair(member, job), Dimensions(truth), truth.Overall));
        }
        return pairs;
    }

    /// <summary>The world's truth dimensions under the default policy's dimension ids.</summary>
    public static Dictionary<string, double> Dimensions(MatchTruth truth) => new(StringComparer.Ordinal)
    {
        ["skills"] = truth.Skills,
        ["seniority_fit"] = truth.Seniority,
        ["location_remote"] = truth.Location,
        ["industry_domain"] = truth.Industry,
        ["title_relevance"] = truth.Title,
        ["hard_requirements"] = truth.HardRequirements,
    };

    /// <summary>The pairs named in a label file, looked up in the world.</summary>
    public static List<MatchPair> PairsOf(WorldSnapshot world, IEnumerable<LabeledPair> labels) =>
        labels.Select(l => l.Pair).Distinct().Select(k => new MatchPair(world.Member(k.MemberId), world.Job(k.JobId))).ToList();
}
