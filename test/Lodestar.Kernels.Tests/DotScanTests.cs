// The scan kernel against its scalar twin (double sums) at every dimension 0..257, row counts 0..9 and
// misaligned offsets; the CI's second run covers the Vector256 path.
using Lodestar.Core;

namespace Lodestar.Kernels.Tests;

public sealed unsafe class DotScanTests
{
    [Fact]
    public void ScoresMatchTheScalarTwinAtEveryLengthAndOffset()
    {
        var random = new SeededRandom(17);
        for (var dimension = 0; dimension <= 257; dimension++)
        {
            foreach (var count in new[] { 0, 1, 3, 4, 5, 9 })
            {
                var offset = dimension % 3;
                var query = new float[dimension + offset];
                var rows = new float[count * dimension + offset + 1];
                random.FillUniform(query, 1f);
                random.FillUniform(rows, 1f);
                var scores = new float[count + 1];
                scores[count] = 42f;
                fixed (float* q = query, r = rows, s = scores)
                {
                    DotScan.Scores(q + offset, r + offset, count, dimension, s);
                }
                var expected = new double[count];
                DotScanReference.Scores(query.AsSpan(offset), rows.AsSpan(offset), count, dimension, expected);
                for (var row = 0; row < count; row++)
                {
                    Assert.True(Math.Abs(expected[row] - scores[row]) <= 1e-5 * Math.Max(1, Math.Sqrt(dimension)),
                        $"D={dimension}, row {row} of {count}: {scores[row]} vs {expected[row]}");
                }
                Assert.Equal(42f, scores[count]);
            }
        }
    }
}
