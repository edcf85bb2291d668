// The int8 scan kernel against its scalar twin (64-bit sums) at every dimension 0..257, row counts 0..9,
// misaligned offsets and the extreme codes ±127; integer sums must agree exactly. The CI's second run covers
// the AVX2 path.
using Lodestar.Core;

namespace Lodestar.Kernels.Tests;

public sealed unsafe class Int8DotScanTests
{
    [Fact]
    public void DotsEqualTheScalarTwinAtEveryLengthAndOffset()
    {
        var random = new SeededRandom(23);
        for (var dimension = 0; dimension <= 257; dimension++)
        {
            foreach (var count in new[] { 0, 1, 3, 4, 5, 9 })
            {
                var offset = dimension % 3;
                var query = Codes(random, dimension + offset);
                var rows = Codes(random, count * dimension + offset + 1);
                var dots = new int[count + 1];
                dots[count] = 42;
                fixed (sbyte* q = query, r = rows)
                fixed (int* s = dots)
                {
                    Int8DotScan.Dots(q + offset, r + offset, count, dimension, s);
                }
                var expected = new long[count];
                Int8DotScanReference.Dots(query.AsSpan(offset), rows.AsSpan(offset), count, dimension, expected);
                for (var row = 0; row < count; row++)
                {
                    Assert.True(expected[row] == dots[row], $"D={dimension}, row {row} of {count}: {dots[row]} vs {expected[row]}");
                }
                Assert.Equal(42, dots[count]);
            }
        }
    }

    [Fact]
    public void ExtremeCodesDoNotOverflow()
    {
        // (−127)·(−127) summed over 4,096 elements: 66,064,384, far past int16 and exact in int32.
        const int dimension = 4096;
        var query = Enumerable.Repeat((sbyte)-127, dimension).ToArray();
        var rows = Enumerable.Repeat((sbyte)-127, 5 * dimension).ToArray();
        var dots = new int[5];
        fixed (sbyte* q = query, r = rows)
        fixed (int* s = dots)
        {
            Int8DotScan.Dots(q, r, 5, dimension, s);
        }
        Assert.All(dots, d => Assert.Equal(127 * 127 * dimension, d));
    }

    private static sbyte[] Codes(SeededRandom random, int length)
    {
        var codes = new sbyte[length];
        for (var i = 0; i < length; i++)
        {
            codes[i] = (sbyte)(random.NextInt(255) - 127);
        }
        return codes;
    }
}
