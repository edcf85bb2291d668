// A world's feed log as the ranker's examples, nothing from the future in any of them. Training: each member's
// impressions before the validation days, in windows of the model's history length (every impression a target
// once, each with at least half a window of context after the first). Validation and test: each member-day, the
// impressions before that day as history and the day's impressions as candidates scored in one pass.
using Lodestar.Core;
using Lodestar.Data.Schema;
using Lodestar.Features.Retrieval;
using Lodestar.Models.FeedRanking;

namespace Lodestar.Features.FeedRanking;

/// <summary>
/// One member-day to rank: the history before the day (its last MaxHistory of HistoryCount impressions), the day's
/// impressions (ids, K) as candidates with features (K·F) and the action sets taken.
/// </summary>
public sealed record FeedMemberDay(long MemberId, int Day, RetrievalSplit Split, FeedEvent[] History, int HistoryCount, long[] ImpressionIds,
    RankedPost[] Candidates, float[] Features, int[] Actions);

public sealed class FeedRankingExamples
{
    private FeedRankingExamples(List<FeedSequence> train, List<FeedMemberDay> validation, List<FeedMemberDay> test, RetrievalBoundaries boundaries)
    {
        Train = train;
        Validation = validation;
        Test = test;
        Boundaries = boundaries;
    }

    /// <summary>Training windows of the days before validation.</summary>
    public IReadOnlyList<FeedSequence> Train { get; }

    public IReadOnlyList<FeedMemberDay> Validation { get; }

    public IReadOnlyList<FeedMemberDay> Test { get; }

    public RetrievalBoundaries Boundaries { get; }

    /// <summary>
    /// The examples of <paramref name="log"/> split by <paramref name="data"/>; windows of <paramref name="maxHistory"/>
    /// impressions; at most <paramref name="evaluationDays"/> member-days per evaluation split (0: all), drawn by a
    /// fixed hash of (member, day), so every model and every training seed is tested on the same ones.
    /// </summary>
    public static FeedRankingExamples Build(FeedLog log, RetrievalDataConfig data, int maxHistory, int evaluationDays)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxHistory, 1);
        var boundaries = RetrievalExamples.Boundaries(log, data);
        var features = new FeedRankingFeatures(log);
        var train = new List<FeedSequence>();
        var validation = new List<FeedMemberDay>();
        var test = new List<FeedMemberDay>();
        foreach (var member in log.Members.Order())
        {
            var impressions = log.ImpressionsOf(member);
            var events = impressions.Select(i => new FeedEvent(features.Post(i.PostId), ActionSet(i))).ToArray();
            var fused = features.Of(member, impressions);
            var trainCount = impressions.TakeWhile(i => i.Day < boundaries.ValidationStart).Count();
            AddWindows(train, events.AsSpan(0, trainCount), fused.AsSpan(0, trainCount * FeedRankingFeatures.Count), maxHistory);
            for (var start = trainCount; start < impressions.Count;)
            {
                var day = impressions[start].Day;
                var end = start;
                while (end < impressions.Count && impressions[end].Day == day)
                {
                    end++;
                }
                var split = boundaries.SplitOf(day);
                var history = events.AsSpan(Math.Max(0, start - maxHistory), Math.Min(start, maxHistory)).ToArray();
                var memberDay = new FeedMemberDay(member, day, split, history, start, [.. impressions.Skip(start).Take(end - start).Select(i => i.Id)],
                    [.. events[start..end].Select(e => e.Post)],
                    fused.AsSpan(start * FeedRankingFeatures.Count, (end - start) * FeedRankingFeatures.Count).ToArray(), [.. events[start..end].Select(e => e.Actions)]);
                (split == RetrievalSplit.Test ? test : validation).Add(memberDay);
                start = end;
            }
        }
        return new FeedRankingExamples(train, Draw(validation, evaluationDays), Draw(test, evaluationDays), boundaries);
    }

    private const ulong EvaluationDrawSeed = 1;

    /// <summary>The action set of an impression (FeedTasks bit order).</summary>
    public static int ActionSet(FeedImpression i) => FeedTasks.ActionSet(i.Click, i.Skip, i.LongDwell, i.Like, i.Comment, i.Share);

    /// <summary>
    /// Windows [s, s + M) at s = 0, M/2, M, ...: the first window's impressions are all targets, every later one's
    /// second half only, so each impression is a target once and (after the first M/2) sees at least M/2 before it.
    /// </summary>
    private static void AddWindows(List<FeedSequence> train, ReadOnlySpan<FeedEvent> events, ReadOnlySpan<float> fused, int maxHistory)
    {
        var half = Math.Max(1, maxHistory / 2);
        for (var start = 0; start < events.Length; start += half)
        {
            var end = Math.Min(events.Length, start + maxHistory);
            var firstTarget = start == 0 ? 0 : Math.Min(half, end - start);
            if (firstTarget < end - start)
            {
                train.Add(new FeedSequence(events[start..end].ToArray(), fused.Slice(start * FeedRankingFeatures.Count, (end - start) * FeedRankingFeatures.Count).ToArray(), firstTarget));
            }
            if (end == events.Length)
            {
                break;
            }
        }
    }

    private static List<FeedMemberDay> Draw(List<FeedMemberDay> days, int count)
    {
        if (count == 0 || days.Count <= count)
        {
            return days;
        }
        return [.. days.OrderBy(d => SeededRandom.UniformAt(EvaluationDrawSeed, 0x66656564UL, (d.MemberId * 4096) + d.Day)).ThenBy(d => d.MemberId).ThenBy(d => d.Day)
            .Take(count).OrderBy(d => d.Day).ThenBy(d => d.MemberId)];
    }
}
