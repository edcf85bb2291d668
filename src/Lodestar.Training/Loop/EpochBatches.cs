// How most tasks cut an epoch: a generator per (run seed, epoch), so a resumed epoch draws what the interrupted one
// drew, and the training examples shuffled by it into batches of the configured size.
using Lodestar.Core;

namespace Lodestar.Training.Loop;

public static class EpochBatches
{
    /// <summary>The generator of 1-based <paramref name="epoch"/> of a run seeded <paramref name="seed"/>.</summary>
    public static SeededRandom Random(int seed, int epoch) => new(((ulong)seed * 1_000_003UL) + (ulong)epoch);

    /// <summary><paramref name="items"/> shuffled by <paramref name="random"/>, in batches of <paramref name="size"/> (the last may be smaller).</summary>
    public static IReadOnlyList<List<T>> Shuffled<T>(IReadOnlyList<T> items, int size, SeededRandom random)
    {
        var order = items.ToArray();
        random.Shuffle<T>(order);
        return [.. order.Chunk(size).Select(chunk => chunk.ToList())];
    }
}
