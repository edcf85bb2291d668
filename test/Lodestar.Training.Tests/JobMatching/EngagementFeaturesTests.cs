// Engagement counters of the click teacher: only events strictly before the example's time count, rates are
// smoothed towards the world's apply rate, and a teacher reading them serves a student that reads plain prompts.
using Lodestar.Data.Schema;
using Lodestar.Models.JobMatching;
using Lodestar.Training.JobMatching;
using Lodestar.Training.Loop;
using Lodestar.Features.JobMatching;
using Lodestar.Evaluation.Match;

namespace Lodestar.Training.Tests.JobMatching;

[Collection("teacher cache")]
public class EngagementFeaturesTests(TinyMatchWorld world) : IClassFixture<TinyMatchWorld>
{
    // Jobs 1 and 2 belong to company 10, job 3 to company 20.
    private static long CompanyOf(long job) => job == 3 ? 20 : 10;

    private static readonly JobEvent[] Events =
    [
        new(1, 100, 1, JobAction.View, 1_000, 0),
        new(2, 100, 1, JobAction.Apply, 1_030, 0),
        new(3, 101, 2, JobAction.View, 2_000, 0),
        new(4, 101, 2, JobAction.Dismiss, 2_010, 0),
        new(5, 102, 3, JobAction.View, 3_000, 1),
        new(6, 100, 2, JobAction.View, 4_000, 1),
    ];

    [Fact]
    public void RatesCountOnlyEarlierEventsAndShrinkTowardsTheWorldRate()
    {
        var features = new EngagementFeatures(Events, CompanyOf);
        const double world = 1.0 / 4; // 1 apply in 4 views
        // At time 1,030 the apply of that same instant is not yet counted: company 10 has 1 view and 0 applies.
        Assert.Equal([(0 + (world * 5)) / (1 + 5), (0 + (world * 3)) / (1 + 3), (0 + (world * 2)) / (1 + 2), 1], features.Raw(100, 1, 1_030));
        // Just after it: the apply counts for company 10, job 1 and member 100.
        var after = features.Raw(100, 1, 1_031);
        Assert.Equal((1 + (world * 5)) / (1 + 5), after[0], 12);
        Assert.Equal((1 + (world * 3)) / (1 + 3), after[1], 12);
        Assert.Equal((1 + (world * 2)) / (1 + 2), after[2], 12);
        // Job 2 (same company) had no view before 2,000; a member with no events reads the world's rate.
        Assert.Equal(world, features.Raw(999, 2, 1_500)[1], 12);
        Assert.Equal(world, features.Raw(999, 2, 1_500)[2], 12);
        Assert.Equal(0, features.Raw(999, 2, 1_500)[3]);
        // Dismissals are not views: member 101 has one view at the end.
        Assert.Equal(1, features.Raw(101, 3, long.MaxValue)[3]);
    }

    [Fact]
    public void TextNeedsFittedDecilesAndUsesThePromptMarkers()
    {
        var features = new EngagementFeatures(Events, CompanyOf);
        Assert.Throws<InvalidOperationException>(() => features.Text(100, 1, 5_000));
        features.Fit([(100, 1, 1_000), (101, 2, 2_000), (102, 3, 3_000), (100, 2, 4_000)]);
        var text = features.Text(100, 1, long.MaxValue);
        Assert.StartsWith(" <company><apply_percentile>", text, StringComparison.Ordinal);
        Assert.EndsWith("</view_percentile></member>", text, StringComparison.Ordinal);
        // The company with the apply ranks above the company without.
        Assert.True(Decile(features.Text(100, 1, long.MaxValue)) > Decile(features.Text(102, 3, long.MaxValue)));
    }

    [Fact]
    public void AClickTeacherReadingEngagementServesAStudentReadingPlainPrompts()
    {
        var config = world.In("engagement").WithTraining(t => t with { Epochs = 1 });
        var teacherConfig = config with { Data = config.Data with { EngagementFeatures = true }, Model = config.Model with { MaxTokens = 64 } };
        var teacherData = MatchPipeline.For(world.Data, teacherConfig.Data, teacherConfig.Model.MaxTokens, "test");
        // Same pairs, splits and labels; longer prompts carrying the counters.
        Assert.Equal(world.Data.Examples.Select(e => (e.MemberId, e.JobId, e.Split, e.Applied)), teacherData.Examples.Select(e => (e.MemberId, e.JobId, e.Split, e.Applied)));
        Assert.All(teacherData.Examples, e => Assert.Equal(64, e.Tokens.Length));
        Assert.NotEqual(world.Data.ContentHash, teacherData.ContentHash);
        Assert.Same(teacherData, MatchPipeline.For(world.Data, teacherConfig.Data, teacherConfig.Model.MaxTokens, "test"));

        new MatchTrainer(MatchRole.ClickTeacher, teacherConfig, teacherData).Train();
        var clickRun = teacherConfig.RunDirectory(MatchRole.ClickTeacher);
        Assert.Same(teacherData, MatchPipeline.ForRun(world.Data, clickRun));
        var student = config with { Model = config.Model with { Channels = 8, FeedForward = 16 }, ClickTeacherRun = clickRun };
        var record = new MatchTrainer(MatchRole.Student, student, world.Data).Train();
        Assert.Equal(TeacherCache.Key(clickRun, world.Data), record.Data.Input("click-teacher").Sha256);
        // Evaluated beside a student on the plain prompts, the teacher still reads its own: the same figures as on its own data set.
        var beside = MatchEvaluator.Evaluate(world.Data, [(MatchRole.ClickTeacher, clickRun), (MatchRole.Student, student.RunDirectory(MatchRole.Student))]).Models[0];
        var alone = MatchEvaluator.Evaluate(teacherData, [(MatchRole.ClickTeacher, clickRun)]).Models[0];
        Assert.Equal(alone.Metrics, beside.Metrics);
        // The run's own test metrics are the same figures, measured by the training loop on its best weights.
        var recorded = RunRecord<MatchTrainingConfig>.Read(clickRun).Test!;
        Assert.All(MatchMetrics.Keys, k => Assert.Equal(alone.Metrics[k], recorded[k]));
        // Fed the student's shorter prompts directly, the teacher refuses rather than reading them wrongly.
        var teacher = MatchInference.LoadBest(clickRun, MatchRole.ClickTeacher, world.Data.VocabSize, world.Data.Layout);
        Assert.Throws<ArgumentException>(() => MatchScorer.Predict(teacher, world.Data.Examples.Take(8).ToList()));
    }

    [Fact]
    public void ARunOverOtherPairsIsRejectedWithTheReason()
    {
        var other = world.Data.Config with { PolicyPairs = world.Data.Config.PolicyPairs / 2, EngagementFeatures = true };
        var error = Assert.Throws<InvalidDataException>(() => MatchPipeline.For(world.Data, other, world.Data.MaxTokens, "runs/click-x"));
        Assert.Contains("runs/click-x", error.Message, StringComparison.Ordinal);
        Assert.Contains("pairs", error.Message, StringComparison.Ordinal);
    }

    private static int Decile(string text)
    {
        var start = text.IndexOf("<apply_percentile>", StringComparison.Ordinal) + "<apply_percentile>".Length;
        return int.Parse(text.AsSpan(start, text.IndexOf('<', start) - start), System.Globalization.CultureInfo.InvariantCulture);
    }
}
