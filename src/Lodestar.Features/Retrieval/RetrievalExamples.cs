// Training data of retrieval from an engagement log, split by time: one example per member and day with an
// engagement; its positives are the items the member engaged with that day (a feed post clicked, dwelt on, liked,
// commented or shared; a job applied to), its hard negatives the items shown that day and not engaged with, and
// easy negatives are drawn at batch time from items that existed that day and were never shown to the member.
using Lodestar.Core;

namespace Lodestar.Features.Retrieval;

public enum RetrievalSplit
{
    Train,
    Validation,
    Test,
}

/// <summary>How a feed log becomes examples: the last days are test, the days before them validation, the rest training.</summary>
public sealed record RetrievalDataConfig
{
    /// <summary>Days at the end of the log that are validation (before the test days). Default 3.</summary>
    public int ValidationDays { get; init; } = 3;

    /// <summary>Days at the end of the log that are test. Default 4.</summary>
    public int TestDays { get; init; } = 4;

    public RetrievalDataConfig Validate()
    {
        this.Require(ValidationDays >= 1, ValidationDays, "must be at least 1");
        this.Require(TestDays >= 1, TestDays, "must be at least 1");
        return this;
    }
}

/// <summary>A member's engagements on one day. Post ids are sorted; a post both engaged with and shown
/// unengaged that day is a positive only (the hard negative is masked out).</summary>
public sealed record RetrievalExample(long MemberId, int Day, RetrievalSplit Split, long[] Positives, long[] HardNegatives);

/// <summary>The first validation day and the first test day of a log under a config.</summary>
public readonly record struct RetrievalBoundaries(int ValidationStart, int TestStart)
{
    public RetrievalSplit SplitOf(int day) => day >= TestStart ? RetrievalSplit.Test : day >= ValidationStart ? RetrievalSplit.Validation : RetrievalSplit.Train;
}

public static class RetrievalExamples
{
    /// <summary>Where the log's days split; throws when it is too short to leave a training day.</summary>
    public static RetrievalBoundaries Boundaries(IRetrievalLog log, RetrievalDataConfig config)
    {
        config.Validate();
        var testStart = log.LastDay - config.TestDays + 1;
        var validationStart = testStart - config.ValidationDays;
        if (validationStart <= log.FirstDay)
        {
            throw new ArgumentException(
                $"the log spans days {log.FirstDay}..{log.LastDay}: too short for {config.ValidationDays} validation and {config.TestDays} test days and a training day before them");
        }
        return new RetrievalBoundaries(validationStart, testStart);
    }

    /// <summary>Every (member, day) with at least one engagement, by member then day.</summary>
    public static List<RetrievalExample> Build(IRetrievalLog log, RetrievalDataConfig config)
    {
        var boundaries = Boundaries(log, config);
        var examples = new List<RetrievalExample>();
        foreach (var member in log.Members.Order())
        {
            foreach (var day in log.EventsOf(member).GroupBy(e => e.Day))
            {
                var positives = day.Where(e => e.Engaged).Select(e => e.Item).ToHashSet();
                if (positives.Count == 0)
                {
                    continue;
                }
                var hard = day.Select(e => e.Item).Where(p => !positives.Contains(p)).Distinct().Order().ToArray();
                examples.Add(new RetrievalExample(member, day.Key, boundaries.SplitOf(day.Key), [.. positives.Order()], hard));
            }
        }
        return examples;
    }
}

/// <summary>
/// Draws easy negatives: items created on or before the example's day (there then) that the log never shows
/// the member on any day, without repeats within one draw. Not thread-safe (it caches each member's shown items).
/// </summary>
public sealed class EasyNegativeSampler(IRetrievalLog log)
{
    private readonly Dictionary<long, HashSet<long>> _shown = new();

    /// <summary>Up to <paramref name="count"/> easy negatives for <paramref name="member"/> on <paramref name="day"/>;
    /// fewer only when fewer posts qualify.</summary>
    public long[] Draw(long member, int day, int count, SeededRandom random)
    {
        var alive = log.ItemsCreatedBy(day);
        var shown = Shown(member);
        var drawn = new List<long>(count);
        var taken = new HashSet<long>();
        // Rejection sampling while most posts qualify; a scan of the remaining ones when few do.
        for (var attempt = 0; attempt < 4 * count && drawn.Count < count && alive.Length > 0; attempt++)
        {
            var post = alive[random.NextInt(alive.Length)];
            if (!shown.Contains(post) && taken.Add(post))
            {
                drawn.Add(post);
            }
        }
        if (drawn.Count < count)
        {
            var rest = new List<long>();
            foreach (var post in alive)
            {
                if (!shown.Contains(post) && !taken.Contains(post))
                {
                    rest.Add(post);
                }
            }
            while (drawn.Count < count && rest.Count > 0)
            {
                var i = random.NextInt(rest.Count);
                drawn.Add(rest[i]);
                rest[i] = rest[^1];
                rest.RemoveAt(rest.Count - 1);
            }
        }
        return [.. drawn];
    }

    private HashSet<long> Shown(long member)
    {
        if (!_shown.TryGetValue(member, out var shown))
        {
            _shown[member] = shown = [.. log.EventsOf(member).Select(e => e.Item)];
        }
        return shown;
    }
}
