// The feed fairness audit on a small generated world and a small trained ranker: the merit order is on target for
// every group, the two injected failures (a ranker that puts one creator gender first, a representation handed a
// gender proxy) are flagged, changing every member's protected attributes changes no input and no score, and the
// report's JSON holds the audit's numbers.
using System.Text.Json;
using Lodestar.Data.Generation;
using Lodestar.Evaluation.Fairness;
using Lodestar.Experiments.Audit;
using Lodestar.Features.Retrieval;
using Lodestar.Models.FeedRanking;
using Lodestar.Training.FeedRanking;

namespace Lodestar.Experiments.Tests;

public sealed class FeedFairnessAuditTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-audit-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task TheMeritOrderPassesTheInjectedFailuresAreCaughtAndNoInputReadsTheAttributes()
    {
        var world = Path.Combine(_directory, "world");
        ExperimentWorld.EnsureGenerated(world, new WorldConfig { Members = 800, Days = 12, Seed = 4 }, log: null);
        var run = Path.Combine(_directory, "run");
        FeedRankingRun.Train(new FeedRankingConfig
        {
            World = world,
            Data = new RetrievalDataConfig { ValidationDays = 2, TestDays = 3 },
            Model = new FeedRankerConfig { MaxHistory = 20, Channels = 16, Heads = 2, FeedForward = 32, Layers = 1, Experts = 2, ExpertWidth = 8 },
            EvaluationDays = 0,
            Training = FeedRankingConfig.DefaultTraining with { Epochs = 1, BatchSize = 32 },
        }, run);

        var thresholds = new FairnessThresholds { MinimumClass = 20, MinimumItems = 50 };
        var audit = FeedFairnessAudit.Run(run, world: null, PositionAttention.Logarithmic, thresholds, seed: 1);

        var merit = audit.Rankers.Single(r => r.Ranker == "merit-order");
        Assert.Empty(merit.Flags);
        Assert.All(merit.Groupings.Values.SelectMany(g => g.Groups), g => Assert.Equal(1.0, g.TargetRatio, 6));
        Assert.Contains(audit.Rankers.Single(r => r.Ranker == "injected-first").Flags, f => f.StartsWith($"author-gender: {CreatorExposure.BoostedGroup} ", StringComparison.Ordinal));

        var proxied = audit.Probes.Single(p => p.Representation.EndsWith("-proxy", StringComparison.Ordinal) && p.Attribute == "gender" && p.Value == MemberProbes.ProxiedGender);
        Assert.True(proxied.Flagged, $"the proxy-given probe: AUC {proxied.Probe.Auc} [{proxied.Probe.Low}, {proxied.Probe.High}]");

        Assert.Equal(800, audit.Invariance.MembersChanged);
        Assert.Equal(audit.Lists, audit.Invariance.InputsCompared);
        Assert.True(audit.Invariance.ScoresCompared > 0);
        Assert.Equal(0, audit.Invariance.InputsDiffering);
        Assert.Equal(0, audit.Invariance.ScoresDiffering);

        // The world shows only live posts, so each day's impressions on live posts are all of that day's impressions.
        var log = FeedLog.Load(world);
        Assert.NotEmpty(audit.Feedback!.Days);
        foreach (var day in audit.Feedback.Days)
        {
            Assert.Equal(log.Members.Sum(m => log.ImpressionsOf(m).Count(i => i.Day == day.Day)), day.Impressions);
            Assert.InRange(day.ImpressionGini, 0, 1);
            Assert.InRange(day.RichShare, 0, 1);
        }

        var html = Path.Combine(_directory, "audit", "run.html");
        var json = FairnessReportWriter.Write(html, audit);
        Assert.Contains("injected-first", File.ReadAllText(html), StringComparison.Ordinal);
        Assert.Empty(await Lodestar.TestSupport.ReportInChromium.Problems(html));
        using var document = JsonDocument.Parse(File.ReadAllText(json));
        var written = document.RootElement.GetProperty("rankers").EnumerateArray().Single(r => r.GetProperty("ranker").GetString() == "model")
            .GetProperty("groupings").GetProperty("author-kind").GetProperty("groups")[0].GetProperty("exposure").GetDouble();
        Assert.Equal(audit.Rankers.Single(r => r.Ranker == "model").Groupings["author-kind"].Groups[0].Exposure, written, 12);
    }
}
