// One training batch of the dual encoder: a positive drawn for each member-day, H of its hard negatives and
// E easy ones, all gathered into one candidate set where every post appears once (in-batch negatives for
// every member), with each row's label and the candidates that must not count against it (its own other
// positives of that day).
using Lodestar.Core;

namespace Lodestar.Features.Retrieval;

/// <param name="Candidates">Post ids, each once: the rows' positives first (in row order), then the negatives.</param>
/// <param name="Days">Per candidate, the day of the member-day that brought it in: the day its prompt is rendered as of,
/// so it shows nothing that member-day could not have seen.</param>
/// <param name="Labels">Per row, the column of its positive in <paramref name="Candidates"/>.</param>
/// <param name="Excluded">Row-major (rows × candidates): true where a candidate is another positive of the row's example.</param>
public sealed record RetrievalBatch(IReadOnlyList<RetrievalExample> Examples, long[] Candidates, int[] Days, int[] Labels, bool[] Excluded)
{
    /// <summary>Draws a batch: per example one positive, up to <paramref name="hard"/> hard negatives of its day and
    /// <paramref name="easy"/> easy negatives (alive, never shown to the member), all from <paramref name="random"/>.</summary>
    public static RetrievalBatch Draw(IReadOnlyList<RetrievalExample> examples, int hard, int easy, EasyNegativeSampler sampler, SeededRandom random)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(hard);
        ArgumentOutOfRangeException.ThrowIfNegative(easy);
        var columns = new Dictionary<long, int>();
        var candidates = new List<long>();
        var days = new List<int>();
        int Column(long post, int day)
        {
            if (!columns.TryGetValue(post, out var column))
            {
                columns[post] = column = candidates.Count;
                candidates.Add(post);
                days.Add(day);
            }
            return column;
        }
        var labels = new int[examples.Count];
        for (var i = 0; i < examples.Count; i++)
        {
            var positives = examples[i].Positives;
            if (positives.Length == 0)
            {
                throw new ArgumentException($"member {examples[i].MemberId}, day {examples[i].Day}: an example without a positive cannot be trained on");
            }
            labels[i] = Column(positives[random.NextInt(positives.Length)], examples[i].Day);
        }
        foreach (var example in examples)
        {
            foreach (var post in Sample(example.HardNegatives, hard, random))
            {
                Column(post, example.Day);
            }
            foreach (var post in sampler.Draw(example.MemberId, example.Day, easy, random))
            {
                Column(post, example.Day);
            }
        }
        var excluded = new bool[examples.Count * candidates.Count];
        for (var i = 0; i < examples.Count; i++)
        {
            foreach (var post in examples[i].Positives)
            {
                if (columns.TryGetValue(post, out var column) && column != labels[i])
                {
                    excluded[(i * candidates.Count) + column] = true;
                }
            }
        }
        return new RetrievalBatch(examples, [.. candidates], [.. days], labels, excluded);
    }

    /// <summary>Up to <paramref name="count"/> of <paramref name="posts"/> without repeats (all of them when fewer).</summary>
    private static long[] Sample(long[] posts, int count, SeededRandom random)
    {
        if (posts.Length <= count)
        {
            return posts;
        }
        var pool = (long[])posts.Clone();
        // A partial Fisher–Yates shuffle: the first `count` entries are a uniform sample.
        for (var i = 0; i < count; i++)
        {
            var j = i + random.NextInt(pool.Length - i);
            (pool[i], pool[j]) = (pool[j], pool[i]);
        }
        return pool[..count];
    }
}
