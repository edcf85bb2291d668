// Reads the sequential-recommendation format of S3-Rec / ICLRec (one line per user: `uid item1 ... itemN`,
// items in time order, no timestamps), used for the Amazon Beauty and Sports sets.
using Lodestar.Data.Storage;

namespace Lodestar.Data.Readers;

/// <summary>One user's chronological item sequence.</summary>
public sealed record ItemSequence(long UserId, IReadOnlyList<long> Items);

public static class SequenceReader
{
    /// <summary>The largest item id: ids run 1..MaxItemId (0 pads sequences in every model that reads them).</summary>
    public const long MaxItemId = int.MaxValue - 1;

    /// <summary>
    /// Each line's user and items. An item id outside 1..<see cref="MaxItemId"/> and a user with a second line are bad
    /// lines naming the file, line and field (stopping the read, or counted and skipped under skip-bad).
    /// </summary>
    public static IEnumerable<ItemSequence> Read(string path, BadLineLog? badLines = null, int minLength = 1)
    {
        var firstLine = new Dictionary<long, long>();
        foreach (var sequence in DelimitedLines.ParseEach(path, badLines, (text, line) =>
        {
            var f = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
            if (f.Length < 1 + minLength)
            {
                throw new DataFormatException(path, line, "items", $"{f.Length - 1} items, expected at least {minLength}");
            }
            var user = DelimitedLines.ParseLong(f[0], path, line, "user_id");
            var items = new long[f.Length - 1];
            for (var i = 1; i < f.Length; i++)
            {
                items[i - 1] = DelimitedLines.ParseLong(f[i], path, line, $"item {i}");
                if (items[i - 1] is < 1 or > MaxItemId)
                {
                    throw new DataFormatException(path, line, $"item {i}", $"item id {items[i - 1]} is outside 1..{MaxItemId} (0 is the padding id)");
                }
            }
            if (!firstLine.TryAdd(user, line))
            {
                throw new DataFormatException(path, line, "user_id", $"user {user} already has a sequence, on line {firstLine[user]}");
            }
            return new ItemSequence(user, items);
        }))
        {
            yield return sequence;
        }
    }
}
