// Policy-anchored positives for job candidates: beside a member's applies of a training day, every job open that day
// that the product policy judges a match for the member (overall score at least a threshold) is a positive of that
// member-day, as job matching anchors its labels on the policy. The member's own signal wins: a job it viewed and
// passed over that day stays a hard negative. Validation and test member-days keep their applies only.
using Lodestar.Data.Schema;
using Lodestar.Policy;
using Lodestar.Text.Prompts;

namespace Lodestar.Features.Retrieval;

public static class PolicyPositives
{
    /// <summary>The examples with policy-matched jobs added to the training member-days' positives, and how many
    /// (member-day, job) positives were added.</summary>
    public static (List<RetrievalExample> Examples, long Added) Add(IReadOnlyList<RetrievalExample> examples, JobLog log, WorldSnapshot world,
        CompiledPolicy<Member, Job> policy, double threshold)
    {
        var scores = new int[policy.DimensionCount];
        var jobs = log.Jobs.Values.OrderBy(j => j.Id).ToArray();
        var matchedOf = new Dictionary<long, Job[]>();
        var result = new List<RetrievalExample>(examples.Count);
        long added = 0;
        foreach (var example in examples)
        {
            if (example.Split != RetrievalSplit.Train)
            {
                result.Add(example);
                continue;
            }
            if (!matchedOf.TryGetValue(example.MemberId, out var matched))
            {
                var member = world.Member(example.MemberId);
                matchedOf[example.MemberId] = matched = [.. jobs.Where(j => policy.Score(member, j, scores) >= threshold)];
            }
            var passedOver = example.HardNegatives.ToHashSet();
            var positives = example.Positives.Union(matched.Where(j => j.PostedDay <= example.Day && !passedOver.Contains(j.Id)).Select(j => j.Id)).Order().ToArray();
            added += positives.Length - example.Positives.Length;
            result.Add(example with { Positives = positives });
        }
        return (result, added);
    }
}
