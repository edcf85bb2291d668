// The fairness audit of a feed retriever over its test member-days: which creators' posts among the world's live ones
// make the top K it hands the ranker, against the top K by the world's true relevance (FeedRelevance: the member's interest that day in the
// post's topics, and the post's quality), beside popularity, a random pick and the injected rankers; the probes read
// the member embeddings; the counterfactual check renders and embeds every test member and post again from a world
// whose members' protected attributes were all changed.
using System.Numerics.Tensors;
using Lodestar.Core;
using Lodestar.Core.Progress;
using Lodestar.Data.GroundTruth;
using Lodestar.Evaluation.Fairness;
using Lodestar.Features.Retrieval;
using Lodestar.Text.Prompts;
using Lodestar.Training.Loop;
using Lodestar.Training.Retrieval;

namespace Lodestar.Experiments.Audit;

public static class RetrievalFairnessAudit
{
    /// <summary>
    /// Posts a member's retrieval hands the ranker in the audit by default: a tight cut, so the retriever's preferences
    /// show in worlds of a few hundred live posts (serving's 500 would take every one of them, and say nothing).
    /// </summary>
    public const int DefaultRetrieved = 20;

    public const string Task = "retrieval.dual-encoder";

    /// <summary>Members whose embeddings the probes read, spread evenly over the world by id.</summary>
    public const int ProbeMembers = 2000;

    private sealed record DayLists(int Day, long[] Alive, float[] Posts, List<RetrievalExample> Members, float[] MemberVectors);

    public static FairnessReport Run(string runDirectory, string? world, FairnessThresholds thresholds, ulong seed, int retrieved = DefaultRetrieved, IProgressReporter? progress = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(retrieved, 1);
        var task = RunJson.RequireTask(runDirectory, Task);
        var record = RunRecord<RetrievalConfig>.Read(runDirectory);
        var encoder = RetrievalEncoder.Load(runDirectory);
        var directory = Path.GetFullPath(world ?? encoder.Settings.World);
        var log = FeedLog.Load(directory);
        var test = RetrievalExamples.Build(log, record.Config.Data).Where(e => e.Split == RetrievalSplit.Test).ToList();
        if (record.Config.EvaluationExamples > 0)
        {
            test = [.. test.Take(record.Config.EvaluationExamples)];
        }
        var relevance = FeedRelevance.Open(directory);
        var audit = AuditWorld.ReadAttributes(directory);
        var prompts = encoder.Settings.Prompts(WorldSnapshot.Load(directory), log, encoder.Tokenizer);
        var days = Embed(encoder, prompts, log, test, relevance, progress);

        (string Name, string Description)[] rankers =
        [
            ("model", $"the run's encoder: the {retrieved} posts nearest the member's embedding (exact cosine), as serving retrieves"),
            ("popularity", "the posts with the most engagements before the day, the same for every member"),
            ("merit-order", "the true relevance itself: on target for every group by construction"),
            ("random", "a seeded random pick: what a retriever blind to relevance gives each group"),
            .. CreatorExposure.Injected("model"),
        ];
        var exposure = new CreatorExposure(log.Posts, audit, rankers, new PositionAttention(AttentionModel.TopK, Cutoff: retrieved));
        var width = encoder.Model.Config.Channels;
        long lists = 0;
        foreach (var day in days.Where(d => d.Alive.Length > retrieved))
        {
            lists += day.Members.Count;
            var groups = exposure.GroupsOf(day.Alive, day.Day);
            var genders = CreatorExposure.Genders(groups);
            var popularity = day.Alive.Select(p => (double)log.CountsBefore(p, day.Day).Positives).ToArray();
            for (var i = 0; i < day.Members.Count; i++)
            {
                var member = day.Members[i];
                var query = day.MemberVectors.AsSpan(i * width, width);
                var model = new double[day.Alive.Length];
                for (var p = 0; p < model.Length; p++)
                {
                    model[p] = TensorPrimitives.Dot(query, day.Posts.AsSpan(p * width, width));
                }
                var merit = day.Alive.Select(p => relevance.Merit(member.MemberId, p, day.Day)).ToArray();
                double[][] ranked =
                [
                    model, popularity, merit, CreatorExposure.RandomOrder(seed, day.Day, member.MemberId, model.Length),
                    CreatorExposure.Boost(model, genders, double.PositiveInfinity), CreatorExposure.Boost(model, genders, CreatorExposure.MildBoost),
                ];
                for (var r = 0; r < ranked.Length; r++)
                {
                    exposure.Add(r, ranked[r], merit, groups);
                }
            }
        }

        // The probe's view of a member: their embedding on the first test day, for members spread evenly over the world
        // (the test's member-days hold too few members for a probe over the embedding's dimensions).
        var firstTestDay = test.Count == 0 ? 0 : test.Min(e => e.Day);
        var probed = EvenSample.Of(audit.Keys.Order().ToArray(), ProbeMembers);
        var vectors = new PromptEmbedder(encoder.Model).Embed([.. probed.Select(m => prompts.MemberTokens(m, firstTestDay))]);
        var probes = MemberProbes.Measure(directory, probed, vectors, width, audit, thresholds, seed);
        var invariance = CheckInvariance(encoder, directory, prompts, days);

        string[] definitions =
        [
            $"Lists: {lists:N0} of the run's {test.Count:N0} test member-days (those of days with more than {retrieved} live posts: on the others every ranker takes every post); each ranker picks {retrieved} of the posts the world could show that day (created in the {relevance.LifetimeDays} days before it; the run's own test searches every post created by then).",
            $"Exposure: {exposure.Attention}, the candidate set a ranker reads alike.",
            "Merit: the world's true relevance of the post to the member that day, exp(0.7 ln(K·match + 0.05) + 0.9 ln(quality)), the interest and quality terms of the simulator's engagement logit.",
            $"Exposure is flagged when a group's share of the top {retrieved} ÷ its share of the merit order's top {retrieved} is below {thresholds.ExposureRatioLow} or above {thresholds.ExposureRatioHigh} (the four-fifths rule, both ways), over at least {thresholds.MinimumItems} posts; the intervals resample member-days, and the flag reads the ratio itself.",
        ];
        return new FairnessReport(runDirectory, task, directory, definitions, thresholds, lists, exposure.Results(thresholds, seed), [], probes, invariance, FeedbackLoops.Measure(log, relevance));
    }

    /// <summary>Each test day's live posts (the world's feed pool that day) and members, rendered and embedded.</summary>
    private static List<DayLists> Embed(RetrievalEncoder encoder, RetrievalPrompts prompts, FeedLog log, List<RetrievalExample> test, FeedRelevance relevance, IProgressReporter? progress)
    {
        var embedder = new PromptEmbedder(encoder.Model);
        var counter = progress is null ? null : ProgressCounter.Start(progress, "embed", test.Count);
        var days = new List<DayLists>();
        foreach (var day in test.GroupBy(e => e.Day).OrderBy(g => g.Key))
        {
            var alive = log.PostsCreatedBy(day.Key).ToArray().Where(p => relevance.IsLive(log.Posts[p], day.Key)).ToArray();
            var members = day.ToList();
            days.Add(new DayLists(day.Key, alive, embedder.Embed([.. alive.Select(p => prompts.PostTokens(p, day.Key))]), members,
                embedder.Embed([.. members.Select(e => prompts.MemberTokens(e.MemberId, e.Day))])));
            counter?.Advance(members.Count);
        }
        return days;
    }

    /// <summary>Renders every test member and post again on a copy of the world with every member's attributes changed, and embeds the members again.</summary>
    private static InvarianceCheck CheckInvariance(RetrievalEncoder encoder, string directory, RetrievalPrompts original, List<DayLists> days)
    {
        var (changed, (inputs, differing, scores, scoresDiffering)) = AuditWorld.WithChangedAttributes(directory, copy =>
        {
            var other = encoder.Settings.Prompts(WorldSnapshot.Load(copy), FeedLog.Load(copy), encoder.Tokenizer);
            var embedder = new PromptEmbedder(encoder.Model);
            long compared = 0;
            long off = 0;
            long vectors = 0;
            long vectorsOff = 0;
            foreach (var day in days)
            {
                foreach (var post in day.Alive)
                {
                    compared++;
                    off += original.PostTokens(post, day.Day).AsSpan().SequenceEqual(other.PostTokens(post, day.Day)) ? 0 : 1;
                }
                var tokens = day.Members.Select(e => other.MemberTokens(e.MemberId, e.Day)).ToList();
                for (var i = 0; i < tokens.Count; i++)
                {
                    compared++;
                    off += tokens[i].AsSpan().SequenceEqual(original.MemberTokens(day.Members[i].MemberId, day.Members[i].Day)) ? 0 : 1;
                }
                var again = embedder.Embed(tokens);
                vectors += again.Length;
                vectorsOff += AuditWorld.BitsDiffering(day.MemberVectors, again);
            }
            return (compared, off, vectors, vectorsOff);
        });
        return new InvarianceCheck(AuditWorld.Change, changed, inputs, differing, scores, scoresDiffering);
    }
}
