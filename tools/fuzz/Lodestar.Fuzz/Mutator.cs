// Byte-level mutations of a seed input for the in-process smoke: bit flips, interesting bytes (JSON and YAML
// punctuation, 0x00, 0xFF), inserted, deleted and duplicated runs, truncation, splices of two seeds and numbers
// swapped for huge or negative ones, one to four stacked, all drawn from a seeded generator so a run repeats.
using System.Text;
using Lodestar.Core;

namespace Lodestar.Fuzz;

public sealed class Mutator(SeededRandom random)
{
    private static readonly byte[] Interesting = [0x00, 0xFF, 0x7F, 0x80, (byte)'"', (byte)'{', (byte)'}', (byte)'[', (byte)']', (byte)':', (byte)',',
        (byte)'\n', (byte)'-', (byte)'9', (byte)'\\', (byte)' ', (byte)'&', (byte)'*', (byte)'!', (byte)'#'];

    private static readonly string[] Numbers = ["-1", "0", "99999999999999999999", "1e308", "-9223372036854775808", "NaN", "4294967296", "2147483648"];

    public byte[] Mutate(byte[] seed, IReadOnlyList<byte[]> others)
    {
        var bytes = new List<byte>(seed);
        var stacked = 1 + random.NextInt(4);
        for (var m = 0; m < stacked; m++)
        {
            var at = bytes.Count == 0 ? 0 : random.NextInt(bytes.Count);
            switch (random.NextInt(8))
            {
                case 0 when bytes.Count > 0:
                    bytes[at] ^= (byte)(1 << random.NextInt(8));
                    break;
                case 1 when bytes.Count > 0:
                    bytes[at] = Interesting[random.NextInt(Interesting.Length)];
                    break;
                case 2:
                    bytes.InsertRange(at, Enumerable.Range(0, 1 + random.NextInt(8)).Select(_ => random.Bernoulli(0.5) ? Interesting[random.NextInt(Interesting.Length)] : (byte)random.NextInt(256)));
                    break;
                case 3 when bytes.Count > 0:
                    bytes.RemoveRange(at, Math.Min(bytes.Count - at, 1 + random.NextInt(16)));
                    break;
                case 4 when bytes.Count > 0:
                    var length = Math.Min(bytes.Count - at, 1 + random.NextInt(32));
                    bytes.InsertRange(random.NextInt(bytes.Count), bytes.GetRange(at, length));
                    break;
                case 5 when bytes.Count > 0:
                    bytes.RemoveRange(at, bytes.Count - at);
                    break;
                case 6 when others.Count > 0:
                    var other = others[random.NextInt(others.Count)];
                    var from = other.Length == 0 ? 0 : random.NextInt(other.Length);
                    bytes.InsertRange(at, other.Skip(from).Take(1 + random.NextInt(64)));
                    break;
                default:
                    ReplaceANumber(bytes);
                    break;
            }
        }
        return [.. bytes];
    }

    private void ReplaceANumber(List<byte> bytes)
    {
        var starts = Enumerable.Range(0, bytes.Count).Where(i => bytes[i] is >= (byte)'0' and <= (byte)'9' && (i == 0 || bytes[i - 1] is < (byte)'0' or > (byte)'9')).ToList();
        var number = Encoding.ASCII.GetBytes(Numbers[random.NextInt(Numbers.Length)]);
        if (starts.Count == 0)
        {
            bytes.InsertRange(bytes.Count == 0 ? 0 : random.NextInt(bytes.Count), number);
            return;
        }
        var start = starts[random.NextInt(starts.Count)];
        var end = start;
        while (end < bytes.Count && bytes[end] is >= (byte)'0' and <= (byte)'9')
        {
            end++;
        }
        bytes.RemoveRange(start, end - start);
        bytes.InsertRange(start, number);
    }
}
