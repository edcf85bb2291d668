// The trainer's bookkeeping: how often each adjacent pair of symbols occurs over all words (weighted by
// word count), which words hold it, and a lazily updated max-heap to find the next merge.
namespace Lodestar.Text.Tokenization;

internal sealed class PairStatistics
{
    private readonly List<int[]> words;
    private readonly List<long> wordCounts;
    private readonly Dictionary<long, long> pairCounts = [];
    private readonly Dictionary<long, HashSet<int>> wordsWithPair = [];
    private readonly PriorityQueue<long, (long Count, long Pair)> queue = new(Comparer<(long Count, long Pair)>.Create(ComparePriority));

    public PairStatistics(List<int[]> words, List<long> wordCounts)
    {
        this.words = words;
        this.wordCounts = wordCounts;
        for (var w = 0; w < words.Count; w++)
        {
            AddPairs(w, +1, null);
        }
        foreach (var (pair, count) in pairCounts)
        {
            queue.Enqueue(pair, (count, pair));
        }
    }

    /// <summary>The most frequent pair (the smaller (left, right) on ties); false when none reaches <paramref name="minCount"/>.</summary>
    public bool TryTakeBest(int minCount, out int left, out int right)
    {
        while (queue.TryDequeue(out var pair, out var priority))
        {
            var current = pairCounts.GetValueOrDefault(pair);
            if (current != priority.Count)
            {
                // Stale entry: the pair's count changed since it was queued; queue it again as it is now.
                if (current > 0)
                {
                    queue.Enqueue(pair, (current, pair));
                }
                continue;
            }
            if (current < minCount)
            {
                break;
            }
            left = (int)(pair >> 32);
            right = (int)(uint)pair;
            return true;
        }
        left = right = -1;
        return false;
    }

    /// <summary>Replaces every non-overlapping (left, right), scanning left to right, by <paramref name="merged"/>.</summary>
    public void Merge(int left, int right, int merged)
    {
        var key = Key(left, right);
        if (!wordsWithPair.Remove(key, out var holders))
        {
            return;
        }
        var changed = new HashSet<long>();
        foreach (var w in holders.Order())
        {
            var symbols = words[w];
            if (!Contains(symbols, left, right))
            {
                continue;
            }
            AddPairs(w, -1, null);
            var next = new List<int>(symbols.Length);
            for (var i = 0; i < symbols.Length; i++)
            {
                if (i + 1 < symbols.Length && symbols[i] == left && symbols[i + 1] == right)
                {
                    next.Add(merged);
                    i++;
                }
                else
                {
                    next.Add(symbols[i]);
                }
            }
            words[w] = [.. next];
            AddPairs(w, +1, changed);
        }
        pairCounts.Remove(key);
        foreach (var pair in changed.Order())
        {
            if (pairCounts.TryGetValue(pair, out var count) && count > 0)
            {
                queue.Enqueue(pair, (count, pair));
            }
        }
    }

    private void AddPairs(int w, int sign, HashSet<long>? changed)
    {
        var symbols = words[w];
        var weight = sign * wordCounts[w];
        for (var i = 0; i + 1 < symbols.Length; i++)
        {
            var pair = Key(symbols[i], symbols[i + 1]);
            var count = pairCounts.GetValueOrDefault(pair) + weight;
            if (count == 0)
            {
                pairCounts.Remove(pair);
            }
            else
            {
                pairCounts[pair] = count;
            }
            if (sign > 0)
            {
                if (!wordsWithPair.TryGetValue(pair, out var holders))
                {
                    holders = [];
                    wordsWithPair[pair] = holders;
                }
                holders.Add(w);
                changed?.Add(pair);
            }
        }
    }

    private static bool Contains(int[] symbols, int left, int right)
    {
        for (var i = 0; i + 1 < symbols.Length; i++)
        {
            if (symbols[i] == left && symbols[i + 1] == right)
            {
                return true;
            }
        }
        return false;
    }

    // Higher count first; on equal counts the smaller pair of ids (Hugging Face's Merge ordering).
    private static int ComparePriority((long Count, long Pair) a, (long Count, long Pair) b)
    {
        var byCount = b.Count.CompareTo(a.Count);
        return byCount != 0 ? byCount : a.Pair.CompareTo(b.Pair);
    }

    private static long Key(int left, int right) => ((long)left << 32) | (uint)right;
}
