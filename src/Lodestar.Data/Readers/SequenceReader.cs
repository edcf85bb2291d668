// Reads the sequential-recommendation format of S3-Rec / ICLRec (one line per user: `uid item1 ... itemN`,
// items in time order, no timestamps), used for the Amazon Beauty and Sports sets.
using Lodestar.Data.Storage;

namespace Lodestar.Data.Readers;

/// <summary>One user's chronological item sequence.</summary>
public sealed record ItemSequence(long UserId, IReadOnlyList<long> Items);

public static class SequenceReader
{
    public static IEnumerable<ItemSequence> Read(string path, BadLineLog? badLines = null, int minLength = 1)
    {
        badLines ??= BadLineLog.Strict;
        foreach (var (line, text) in DelimitedLines.Read(path))
        {
            ItemSequence sequence;
            try
            {
                var f = text.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                if (f.Length < 1 + minLength)
                {
                    throw new DataFormatException(path, line, "items", $"{f.Length - 1} items, expected at least {minLength}");
                }
                var items = new long[f.Length - 1];
                for (var i = 1; i < f.Length; i++)
                {
                    items[i - 1] = DelimitedLines.ParseLong(f[i], path, line, $"item {i}");
                }
                sequence = new ItemSequence(DelimitedLines.ParseLong(f[0], path, line, "user_id"), items);
            }
            catch (DataFormatException error)
            {
                badLines.Report(error);
                continue;
            }
            yield return sequence;
        }
    }
}
