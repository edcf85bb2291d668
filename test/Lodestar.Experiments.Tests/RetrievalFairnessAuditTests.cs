// The retrieval fairness audit on a small generated world and a small trained encoder: only the world's live posts
// are candidates, the merit order's top K is on target for every group, the ranker that takes one creator gender
// first is flagged, the proxy-given member embedding is flagged, and changing every member's protected attributes
// changes no prompt and no embedding.
using Lodestar.Data.Generation;
using Lodestar.Evaluation.Fairness;
using Lodestar.Experiments.Audit;
using Lodestar.Features.Retrieval;
using Lodestar.Models.Bert;
using Lodestar.Training.Retrieval;

namespace Lodestar.Experiments.Tests;

public sealed class RetrievalFairnessAuditTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("lodestar-retrieval-audit-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public async Task TheMeritOrderPassesTheInjectedFailuresAreCaughtAndNoPromptReadsTheAttributes()
    {
        var world = Path.Combine(_directory, "world");
        ExperimentWorld.EnsureGenerated(world, new WorldConfig { Members = 2500, Days = 12, Seed = 4 }, log: null);
        var run = Path.Combine(_directory, "run");
        RetrievalRun.Train(new RetrievalConfig
        {
            World = world,
            TokenizerVocab = 600,
            Data = new RetrievalDataConfig { ValidationDays = 2, TestDays = 3 },
            MemberTokens = 48,
            PostTokens = 40,
            EvaluationExamples = 0,
            Model = new BertConfig { Channels = 16, Heads = 2, FeedForward = 32, Layers = 1, MaxPositions = 48, Dropout = 0f },
            Training = RetrievalConfig.DefaultTraining with { Epochs = 1, BatchSize = 32 },
        }, run);

        var audit = RetrievalFairnessAudit.Run(run, world: null, new FairnessThresholds { MinimumClass = 20, MinimumItems = 50 }, seed: 1, retrieved: 10);

        Assert.Equal(RetrievalFairnessAudit.Task, audit.Task);
        Assert.True(audit.Lists > 50, $"{audit.Lists} member-days audited");
        var merit = audit.Rankers.Single(r => r.Ranker == "merit-order");
        Assert.Empty(merit.Flags);
        Assert.All(merit.Groupings.Values.SelectMany(g => g.Groups), g => Assert.Equal(1.0, g.TargetRatio, 6));
        // Ten of each list's posts are kept: every list adds ten to the groups' exposure, in every grouping.
        Assert.All(audit.Rankers.Single(r => r.Ranker == "model").Groupings.Values, g => Assert.Equal(10.0 * audit.Lists, g.Groups.Sum(x => x.Exposure), 6));
        Assert.Contains(audit.Rankers.Single(r => r.Ranker == "injected-first").Flags, f => f.StartsWith($"author-gender: {CreatorExposure.BoostedGroup} ", StringComparison.Ordinal));

        var proxied = audit.Probes.Single(p => p.Representation.EndsWith("-proxy", StringComparison.Ordinal) && p.Attribute == "gender" && p.Value == MemberProbes.ProxiedGender);
        Assert.True(proxied.Flagged, $"the proxy-given probe: AUC {proxied.Probe.Auc} [{proxied.Probe.Low}, {proxied.Probe.High}] of {proxied.Probe.Positives + proxied.Probe.Negatives}, reference {proxied.Reference.Auc}");

        Assert.Equal(2500, audit.Invariance.MembersChanged);
        Assert.True(audit.Invariance.InputsCompared > audit.Lists);
        Assert.Equal(0, audit.Invariance.InputsDiffering);
        Assert.Equal(0, audit.Invariance.ScoresDiffering);

        // The report draws every table and chart of the audit (exposure shares against the merit order's on one scale).
        var json = FairnessReportWriter.Write(Path.Combine(_directory, "audit", "run.html"), audit);
        Assert.True(File.Exists(json));
        Assert.Contains("<svg", File.ReadAllText(Path.Combine(_directory, "audit", "run.html")), StringComparison.Ordinal);
        Assert.Empty(await Lodestar.TestSupport.ReportInChromium.Problems(Path.Combine(_directory, "audit", "run.html")));
    }
}
