// A program built from Features, Models and Nn alone (this test project: no Training, no Evaluation in its
// closure) loads a trained job-matching student and a trained SASRec from their checkpoints and scores with
// them, getting what the command line printed when tools/golden/scoring/make.sh trained them.
using System.Reflection;
using System.Text.Json;
using Lodestar.Data.Generation;
using Lodestar.Data.Vocabularies;
using Lodestar.Features.JobMatching;
using Lodestar.Features.SeqRec;
using Lodestar.Models.JobMatching;
using Lodestar.Models.SasRec;
using Lodestar.TestSupport;

namespace Lodestar.Features.Tests;

public sealed class ScoringWithoutTrainerTests : IDisposable
{
    // Scores are recomputed on whatever ISA runs the test; the golden ones may come from another.
    private const float Tolerance = 2e-5f;

    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-scoring-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void TheClosureHoldsNeitherTrainerNorEvaluator()
    {
        var closure = Closure(typeof(ScoringWithoutTrainerTests).Assembly);
        Assert.Contains("Lodestar.Features", closure);
        Assert.Contains("Lodestar.Models", closure);
        Assert.Contains("Lodestar.Nn", closure);
        foreach (var above in new[] { "Lodestar.Training", "Lodestar.Evaluation", "Lodestar.Bench", "lodestar" })
        {
            Assert.DoesNotContain(above, closure);
            Assert.False(File.Exists(Path.Combine(AppContext.BaseDirectory, above + ".dll")), $"{above}.dll was copied beside the tests");
        }
    }

    [Fact]
    public void TheTrainedStudentScoresAMembersJobsAsTheCommandLineDid()
    {
        // The world of make.sh, generated again (the generator is deterministic), beside the student's run directory.
        WorldGenerator.Generate(new WorldConfig { Seed = 5, Members = 200, Days = 10 }, BuiltInVocabulary.Create(), Path.Combine(_directory, "world"));
        var run = Path.Combine(_directory, "runs", "student");
        Directory.CreateDirectory(run);
        foreach (var file in Directory.GetFiles(RepoPaths.Golden("scoring/student")))
        {
            File.Copy(file, Path.Combine(run, Path.GetFileName(file)));
        }

        var model = MatchModel.Load(Path.Combine(run, MatchModel.BestFile));
        Assert.Equal(MatchRole.Student, model.Role);
        var prompts = MatchFeatureSpec.OpenPrompts(run, model.Config.MaxTokens);
        // The golden spec predates the policy field: it reads as the default policy the student was trained under.
        Assert.Equal(Lodestar.Policy.PolicyLoader.JobMatching, MatchFeatureSpec.Read(run).Policy);
        foreach (var line in File.ReadLines(Path.Combine(run, "scores.jsonl")))
        {
            var expected = JsonDocument.Parse(line).RootElement;
            var member = expected.GetProperty("member").GetInt64();
            var scores = MatchScorer.ScoreJobs(model, prompts, member);
            Assert.Equal(expected.GetProperty("scored").GetInt32(), scores.Count);
            var byJob = scores.ToDictionary(s => s.JobId);
            foreach (var job in expected.GetProperty("jobs").EnumerateArray())
            {
                var actual = byJob[job.GetProperty("job").GetInt64()];
                Assert.Equal(job.GetProperty("title").GetString(), actual.Title);
                Assert.Equal(job.GetProperty("overall").GetSingle(), actual.Overall, Tolerance);
                Assert.Equal(job.GetProperty("apply").GetSingle(), actual.Apply, Tolerance);
            }
            Assert.True(scores.Zip(scores.Skip(1)).All(p => p.First.Overall >= p.Second.Overall), "best overall first");
            // The student tells jobs apart: its scores for one member spread far beyond the tolerance.
            Assert.True(scores[0].Overall - scores[^1].Overall > 100 * Tolerance, $"member {member}: scores {scores[0].Overall} .. {scores[^1].Overall}");
        }
    }

    [Fact]
    public void TheTrainedSasRecRecommendsForAHistoryAsTheCommandLineDid()
    {
        var model = SasRecModel.Load(RepoPaths.Golden("scoring/sasrec/best.safetensors"));
        var sequences = SeqRecData.Load(RepoPaths.Golden("scoring/sasrec/sequences.txt"));
        var checkedLines = 0;
        foreach (var line in File.ReadLines(RepoPaths.Golden("scoring/sasrec/recommendations.jsonl")))
        {
            var expected = JsonDocument.Parse(line).RootElement;
            var items = expected.GetProperty("items").EnumerateArray().Select(e => e.GetInt32()).ToArray();
            var scores = expected.GetProperty("scores").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            // Lines with a user read the history from the data file; the others recommend after a given history,
            // which make.sh wrote in this order.
            int[] history = expected.TryGetProperty("user", out var user)
                ? sequences.Sequences[sequences.IndexOfUser(user.GetInt64())]
                : Histories[checkedLines];
            var (actualItems, actualScores) = TopKRecommender.Recommend(model, history, items.Length, excludeHistory: true);
            Assert.Equal(items, actualItems);
            for (var i = 0; i < items.Length; i++)
            {
                Assert.Equal(scores[i], actualScores[i], 1e-4f);
            }
            checkedLines++;
        }
        Assert.Equal(Histories.Length + 1, checkedLines);
        // It learned the walk of sequences.py: after 1 2 3 comes 4.
        Assert.Equal(4, TopKRecommender.Recommend(model, new[] { 1, 2, 3 }, 1, excludeHistory: true).Items[0]);
    }

    private static readonly int[][] Histories = [[1, 2, 3], [40, 1], [7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20]];

    private static HashSet<string> Closure(Assembly root)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var pending = new Stack<AssemblyName>(root.GetReferencedAssemblies());
        while (pending.TryPop(out var name))
        {
            if (name.Name is null || !name.Name.StartsWith("Lodestar", StringComparison.OrdinalIgnoreCase) && name.Name != "lodestar" || !seen.Add(name.Name))
            {
                continue;
            }
            foreach (var reference in Assembly.Load(name).GetReferencedAssemblies())
            {
                pending.Push(reference);
            }
        }
        return seen;
    }
}
