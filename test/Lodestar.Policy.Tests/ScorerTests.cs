// The embedded scorer: expressions evaluate as written (precedence, functions, thresholds, gates),
// scoring allocates nothing once a record has been seen, the feed policy scores posts, and policy
// diffs report exactly the pairs a change moves.
using Lodestar.Data.Schema;
using Lodestar.Policy.Expressions;
using Lodestar.Policy.Labeling;
using Lodestar.TestSupport;

namespace Lodestar.Policy.Tests;

public class ScorerTests
{
    private static readonly CompiledPolicy<Member, Job> Policy = PolicyLoader.LoadJobPolicy();

    private sealed record Row(double X, string Name, IReadOnlyList<string> Tags);

    private static readonly PairFieldCatalog<Row, Row> Catalog = new PairFieldCatalog<Row, Row>("job")
        .Member("x", r => r.X, "a number").Member("name", r => r.Name, "text").Member("tags", r => r.Tags, "a list")
        .Item("x", r => r.X, "a number").Item("name", r => r.Name, "text").Item("tags", r => r.Tags, "a list");

    [Theory]
    [InlineData("1 + 2 * 3", 7)]
    [InlineData("(1 + 2) * 3", 9)]
    [InlineData("-member.x + job.x", 1)]
    [InlineData("if(member.name == 'ADA' and not (job.x < 3), 10, 20)", 10)]
    [InlineData("overlap(member.tags, job.tags)", 0.5)]
    [InlineData("missing(member.tags, job.tags)", 1)]
    [InlineData("jaccard(member.tags, job.tags)", 1.0 / 3)]
    [InlineData("count(job.tags) + num(contains(member.tags, 'B'))", 3)]
    [InlineData("word_overlap('senior data engineer', 'Data Scientist')", 0.5)]
    [InlineData("clamp(max(member.x, job.x) / min(2, abs(-4)), 0, 1.5)", 1.5)]
    public void ExpressionsEvaluateAsWritten(string text, double expected)
    {
        var compiled = new ExprCompiler<Row, Row>(Catalog, []).CompileNumber(ExprParser.Parse(text));
        var value = compiled(new Row(2, "ada", ["a", "b"]), new Row(3, "bob", ["A", "c"]), []);
        Assert.Equal(expected, value, 12);
    }

    [Theory]
    [InlineData("1 +", 3, "ends where a value was expected")]
    [InlineData("overlap(member.tags)", 0, "overlap(list of text, list of text) was called with (list of text)")]
    [InlineData("member.x and true", 0, "'and' needs a condition but got a number")]
    [InlineData("member.name == 3", 12, "'==' compares a text with a number")]
    [InlineData("frobnicate(1)", 0, "unknown function 'frobnicate'")]
    [InlineData("member.x 2", 9, "unexpected '2' after a complete expression")]
    [InlineData("member.sex == 'f'", 0, "uses the forbidden attribute 'sex'")]
    public void BadExpressionsSayWhatAndWhere(string text, int offset, string message)
    {
        var ex = Assert.Throws<ExprException>(() => new ExprCompiler<Row, Row>(Catalog, Text.ForbiddenAttributes.Default).Check(ExprParser.Parse(text)));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
        Assert.Equal(offset, ex.Offset);
    }

    [Fact]
    public void AMissingHardRequirementCapsTheOverallScoreAtOne()
    {
        var (members, jobs) = TestPairs.Create(seed: 31, members: 200, jobs: 80);
        var hard = Policy.Document.IndexOf("hard_requirements");
        var capped = 0;
        foreach (var pair in TestPairs.Pairs(members, jobs, 2000, seed: 2))
        {
            var label = Policy.Score(pair.Member, pair.Job);
            Assert.InRange(label.Overall, 0, 4);
            if (label.Scores[hard] <= 1)
            {
                Assert.True(label.Overall <= 1, $"pair {pair.Key}: overall {label.Overall} with a missing hard requirement");
                capped++;
            }
        }
        Assert.True(capped > 50);
        var perfect = new double[] { 4, 4, 4, 4, 4, 4 };
        Assert.Equal(4, Policy.Overall(perfect), 12);
        perfect[hard] = 1;
        Assert.Equal(1, Policy.Overall(perfect), 12);
    }

    [Fact]
    public void ScoringAllocatesNothingOnceRecordsHaveBeenSeen()
    {
        var (members, jobs) = TestPairs.Create(seed: 32, members: 50, jobs: 50);
        var pairs = TestPairs.Pairs(members, jobs, 500, seed: 3);
        var scores = new int[Policy.DimensionCount];
        SteadyStateAllocation.AssertNone(() =>
        {
            foreach (var pair in pairs)
            {
                Policy.Score(pair.Member, pair.Job, scores);
            }
        }, warmRuns: 1, measuredRuns: 4);
    }

    [Fact]
    public void FeedPolicyScoresPosts()
    {
        var policy = PolicyLoader.LoadPostPolicy();
        var (members, _) = TestPairs.Create(seed: 33, members: 1, jobs: 1);
        var member = members[0] with { CurrentTitle = "Data Scientist", Skills = ["python", "statistics"], Industry = "software" };
        var onTopic = new Post(1, 2, null, [new TopicWeight("python", 0.7f), new TopicWeight("software", 0.3f)], PostFormat.Article, "How we ship data scientist tooling in Python: " + new string('x', 500), 0, 0);
        var offTopic = new Post(2, 3, null, [new TopicWeight("gardening", 1f)], PostFormat.Text, "agree?", 0, 0);
        var good = policy.Score(member, onTopic);
        var bad = policy.Score(member, offTopic);
        Assert.Equal([4, 4], good.Scores);
        Assert.Equal([0, 0], bad.Scores);
        Assert.Equal(4, good.Overall, 12);
        Assert.Equal(0, bad.Overall, 12);
    }

    [Fact]
    public void DiffReportsExactlyThePairsAChangeMoves()
    {
        var text = File.ReadAllText(Path.Combine(RepoPaths.Root, "policies", PolicyLoader.JobMatching));
        var path = Path.Combine(Path.GetTempPath(), $"lodestar-policy-diff-{Guid.NewGuid():N}.yaml");
        File.WriteAllText(path, text
            .Replace("version: 1.0.0", "version: 1.1.0", StringComparison.Ordinal)
            .Replace("    - when: location_remote == 0\n      cap: 1\n", "    - when: location_remote == 0\n      cap: 2\n", StringComparison.Ordinal));
        try
        {
            var proposed = PolicyLoader.LoadJobPolicy(path);
            var (members, jobs) = TestPairs.Create(seed: 34, members: 120, jobs: 60);
            var pairs = TestPairs.Pairs(members, jobs, 600, seed: 4);
            var report = PolicyDiff.Compare(Policy, proposed, pairs, top: 5);
            var expected = pairs.Count(p => Policy.Score(p.Member, p.Job).Overall != proposed.Score(p.Member, p.Job).Overall);
            Assert.True(expected > 0);
            Assert.Equal(expected, report.ChangedPairs);
            Assert.All(report.Dimensions, d => Assert.Equal(0, d.Changed));
            Assert.True(report.MeanOverallShift > 0);
            Assert.Equal(5, report.LargestChanges.Count);
            Assert.All(report.LargestChanges, c => Assert.Equal(0, c.OldScores["location_remote"]));
            Assert.StartsWith("job-matching@1.1.0#", report.NewVersion, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(path);
        }
    }
}
