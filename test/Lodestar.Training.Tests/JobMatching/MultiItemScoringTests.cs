// Multi-item scoring: a match model that isolates the member's tokens, trained on pairs rendered member first,
// scores one member's jobs in a single pass (the member's part once, every job attending to it and itself) with
// the scores it gives each pair alone.
using Lodestar.Core;
using Lodestar.Features.JobMatching;
using Lodestar.Models.JobMatching;
using Lodestar.Tensors;
using Lodestar.Text.Prompts;
using Lodestar.Training.JobMatching;

namespace Lodestar.Training.Tests.JobMatching;

public class MultiItemScoringTests(TinyMatchWorld world) : IClassFixture<TinyMatchWorld>
{
    [Fact]
    public void AModelIsolatingTheMemberScoresAMembersJobsInOnePassAsItScoresEachPairAlone()
    {
        var config = world.In("isolated") with
        {
            Data = world.Config.Data with { MemberFirst = true },
            Model = world.Config.Model with { IsolatedMember = true },
        };
        var data = MatchPipeline.Prepare(config);
        var maxTokens = config.Model.MaxTokens;
        Assert.All(data.Examples, e => Assert.InRange(e.MemberTokens, 1, maxTokens / 2));
        var record = new MatchTrainer(MatchRole.PolicyTeacher, config.WithTraining(t => t with { Epochs = 8, Patience = 8, LearningRate = 1e-2f }), data).Train();
        Assert.True(record.Epochs[^1].TrainLoss < record.Epochs[0].TrainLoss, $"train loss {record.Epochs[0].TrainLoss} → {record.Epochs[^1].TrainLoss}");
        var model = MatchModel.Load(Path.Combine(config.RunDirectory(MatchRole.PolicyTeacher), MatchModel.BestFile));
        Assert.True(model.Config.IsolatedMember);

        // A member with a job history, scored against 60 jobs as of the world's last day.
        var snapshot = WorldSnapshot.Load(config.World);
        var events = MatchPrompts.ReadEvents(config.World);
        var prompts = new MatchPrompts(snapshot, events, data.Tokenizer!, maxTokens, config.Data);
        var memberId = events.First(e => e.Action == Lodestar.Data.Schema.JobAction.Apply).MemberId;
        var member = snapshot.Member(memberId);
        var (time, day) = (long.MaxValue, snapshot.LastDay);
        long[] jobs = [.. snapshot.Jobs.Keys.Order().Take(60)];
        var memberTokens = prompts.EncodeMember(member, time);
        var jobTokens = jobs.Select(j => prompts.EncodeJob(member, j, time, day, memberTokens.Length)).ToList();
        var pairs = jobs.Select(j => MatchExample.Unlabelled(memberId, j, prompts.Encode(memberId, j, time, day), day)).ToList();
        // A pair is the member's part followed by the job's.
        Assert.All(pairs.Zip(jobTokens), p =>
        {
            Assert.Equal(memberTokens.Length, p.First.MemberTokens);
            Assert.Equal([.. memberTokens, .. p.Second], p.First.Tokens.Take(memberTokens.Length + p.Second.Length));
            Assert.Equal(memberTokens.Length + p.Second.Length, MatchScorer.RealTokens(p.First));
        });

        var alone = MatchScorer.Predict(model, pairs);
        var graph = new Graph(recordGradients: false);
        var together = model.ScoreCandidates(graph, memberTokens, jobTokens).Data.ToArray();
        Assert.Equal(alone.Length, together.Length);
        var largest = alone.Zip(together).Max(p => Math.Abs(p.First - p.Second));
        Assert.True(largest <= 1e-5f, $"largest difference {largest}");
        // The scores tell the jobs apart by far more than the tolerance, and without the isolation they would differ:
        // the same weights attending over the whole pair give other scores.
        var overall = Enumerable.Range(0, jobs.Length).Select(i => alone[(i * model.Layout.Width) + model.Layout.OverallColumn]).ToList();
        Assert.True(overall.Max() - overall.Min() > 1e-3f, $"overall logits span {overall.Min()}..{overall.Max()}");
        var open = new MatchModel(model.Role, model.Config with { IsolatedMember = false }, model.Spec.VocabSize, model.Layout);
        open.LoadWeights(Path.Combine(config.RunDirectory(MatchRole.PolicyTeacher), MatchModel.BestFile));
        var unisolated = MatchScorer.Predict(open, pairs);
        Assert.True(alone.Zip(unisolated).Max(p => Math.Abs(p.First - p.Second)) > 1e-3f, "isolating the member changed no score");

        // One pass is for inference; the ONNX graph takes no member lengths yet, so an isolating model is not exported.
        Assert.Throws<InvalidOperationException>(() => model.ScoreCandidates(new Graph(recordGradients: true), memberTokens, jobTokens));
        Assert.Contains("isolated_member", Assert.Throws<NotSupportedException>(() => MatchOnnx.Export(model)).Message, StringComparison.Ordinal);

        // A model over whole pairs cannot score in one pass; an isolating model needs member-first pairs.
        var error = Assert.Throws<InvalidOperationException>(() => open.ScoreCandidates(graph, memberTokens, jobTokens));
        Assert.Contains("isolated_member", error.Message, StringComparison.Ordinal);
        var refused = Assert.Throws<InvalidConfigException>(() => (config with { Data = world.Config.Data }).Validate());
        Assert.Contains("Model.IsolatedMember", refused.Message, StringComparison.Ordinal);
        var unmarked = pairs.Select(p => p with { MemberTokens = 0 }).ToList();
        var missing = Assert.Throws<ArgumentException>(() => MatchScorer.Predict(model, unmarked));
        Assert.Contains("member_first", missing.Message, StringComparison.Ordinal);
    }
}
