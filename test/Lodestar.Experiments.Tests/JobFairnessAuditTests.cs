// The job-matching fairness audit on the tiny match world with a one-epoch policy teacher: every sampled member is
// scored on every job against the world's true match quality, the merit order shows every member all it can, the
// proxy-given representation is flagged, and changing every member's protected attributes changes no encoded pair
// and no score.
using Lodestar.Evaluation.Fairness;
using Lodestar.Experiments.Audit;
using Lodestar.Models.JobMatching;
using Lodestar.Training.JobMatching;
using Lodestar.Training.Tests.JobMatching;

namespace Lodestar.Experiments.Tests;

[Collection("teacher cache")]
public sealed class JobFairnessAuditTests(TinyMatchWorld world) : IClassFixture<TinyMatchWorld>
{
    [Fact]
    public async Task TheMeritOrderShowsAllItCanTheProxyIsCaughtAndNoInputReadsTheAttributes()
    {
        var config = world.In("audit").WithTraining(t => t with { Epochs = 1 });
        new MatchTrainer(MatchRole.PolicyTeacher, config, world.Data).Train();
        var run = config.RunDirectory(MatchRole.PolicyTeacher);

        var audit = JobFairnessAudit.Run(run, world: null, new FairnessThresholds { MinimumClass = 20 }, seed: 1, members: 400);

        Assert.Equal("job-matching.policy-teacher", audit.Task);
        Assert.Equal(400, audit.Lists);
        var merit = audit.Matchers.Single(m => m.Matcher == "merit-order");
        Assert.True(merit.Members > 50, $"{merit.Members} members with a well-matched job");
        Assert.Equal(1.0, merit.ShownRate, 12);
        Assert.Empty(merit.Flags);
        Assert.All(merit.Attributes.Values.SelectMany(g => g), g => Assert.Equal(1.0, g.ShownRatio, 12));
        var matcher = audit.Matchers.Single(m => m.Matcher == "matcher");
        Assert.Equal(merit.Members, matcher.Members);
        Assert.InRange(matcher.ShownRate, 0.0, 1.0);

        var proxied = audit.Probes.Single(p => p.Representation.EndsWith("-proxy", StringComparison.Ordinal) && p.Attribute == "gender" && p.Value == MemberProbes.ProxiedGender);
        Assert.True(proxied.Flagged, $"the proxy-given probe: AUC {proxied.Probe.Auc} [{proxied.Probe.Low}, {proxied.Probe.High}]");

        Assert.Equal(400, audit.Invariance.MembersChanged);
        Assert.True(audit.Invariance.InputsCompared >= 400, $"{audit.Invariance.InputsCompared} pairs compared");
        Assert.Equal(0, audit.Invariance.InputsDiffering);
        Assert.Equal(0, audit.Invariance.ScoresDiffering);
        var html = Path.Combine(world.Root, "audit", "matcher.html");
        FairnessReportWriter.Write(html, audit);
        Assert.Contains("<svg", File.ReadAllText(html), StringComparison.Ordinal);
        Assert.Empty(await Lodestar.TestSupport.ReportInChromium.Problems(html));

        var feedRun = Path.Combine(world.Root, "feed-run");
        Directory.CreateDirectory(feedRun);
        File.WriteAllText(Path.Combine(feedRun, "run.json"), """{ "task": "feed.ranker" }""");
        Assert.Contains("a feed.ranker run; a job-matching.* run is needed", Assert.Throws<ArgumentException>(() => JobFairnessAudit.Run(feedRun, null, new FairnessThresholds(), 1, 10)).Message, StringComparison.Ordinal);
    }
}
