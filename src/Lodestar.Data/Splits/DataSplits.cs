// Train/validation/test splits of event logs: time-based (the last days are the future a model must predict)
// and member-disjoint cold-start test sets (members whose history a model never sees). The leave-one-out split
// of item sequences is Lodestar.Features.SeqRec.SequenceSplits.
using Lodestar.Core;
using Lodestar.Data.Generation;

namespace Lodestar.Data.Splits;

public enum SplitPart
{
    Train,
    Validation,
    Test,
}

/// <summary>Time split by day: days before <c>ValidationStartDay</c> train, days from <c>TestStartDay</c> test.</summary>
public sealed record TimeSplit(int ValidationStartDay, int TestStartDay)
{
    /// <summary>The split whose last <paramref name="testDays"/> days are test and the <paramref name="validationDays"/> before them validation.</summary>
    public static TimeSplit LastDays(int totalDays, int validationDays, int testDays)
    {
        if (validationDays < 0 || testDays < 1 || validationDays + testDays >= totalDays)
        {
            throw new ArgumentException($"time split: {validationDays} validation + {testDays} test days must leave training days out of {totalDays}");
        }
        return new TimeSplit(totalDays - testDays - validationDays, totalDays - testDays);
    }

    public SplitPart PartOf(int day) => day >= TestStartDay ? SplitPart.Test : day >= ValidationStartDay ? SplitPart.Validation : SplitPart.Train;

    public (List<T> Train, List<T> Validation, List<T> Test) Apply<T>(IEnumerable<T> events, Func<T, int> dayOf)
    {
        List<T> train = [], validation = [], test = [];
        foreach (var e in events)
        {
            (PartOf(dayOf(e)) switch { SplitPart.Train => train, SplitPart.Validation => validation, _ => test }).Add(e);
        }
        return (train, validation, test);
    }
}

/// <summary>Member-disjoint cold-start split: each member is in the test set with probability
/// <c>TestFraction</c>, decided by a hash of (seed, member id), so the split is stable and needs no state.</summary>
public sealed record ColdStartSplit(double TestFraction, ulong Seed)
{
    public bool IsTestMember(long memberId)
    {
        if (TestFraction is < 0 or > 1)
        {
            throw new ArgumentException($"cold-start split: TestFraction {TestFraction} is outside [0, 1]");
        }
        return SeededRandom.UniformAt(Seed, 0xC01D, memberId) < TestFraction;
    }

    public (List<T> Train, List<T> Test) Apply<T>(IEnumerable<T> events, Func<T, long> memberOf)
    {
        List<T> train = [], test = [];
        foreach (var e in events)
        {
            (IsTestMember(memberOf(e)) ? test : train).Add(e);
        }
        return (train, test);
    }
}
