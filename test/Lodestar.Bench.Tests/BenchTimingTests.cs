// The timing protocol's bookkeeping (allocation per call, paired ratios) and the GEMM bench's shape parsing;
// no assertion depends on how fast this machine is.
namespace Lodestar.Bench.Tests;

public sealed class BenchTimingTests
{
    private static readonly TimeSpan Budget = TimeSpan.FromMilliseconds(100);

    [Fact]
    public void EachCallsManagedAllocationIsCounted()
    {
        byte[]? sink = null;
        var allocating = BenchTiming.Measure(() => sink = new byte[1000], Budget, minSamples: 3, sampleSeconds: 0.01);
        var silent = BenchTiming.Measure(() => Thread.SpinWait(10), Budget, minSamples: 3, sampleSeconds: 0.01);
        Assert.NotNull(sink);
        // A 1000-byte array is 1000 bytes plus the array header (24 bytes on 64-bit .NET).
        Assert.InRange(allocating.AllocatedBytesPerCall, 1000, 1100);
        // Below one byte per call: nothing per call, while a one-off runtime allocation (a tier-up of the JIT, a few
        // KB once) spread over the hundreds of thousands of calls measured may still show.
        Assert.InRange(silent.AllocatedBytesPerCall, 0, 1);
        Assert.True(allocating.Samples >= 3);
        Assert.True(allocating.BestSeconds <= allocating.MedianSeconds);
    }

    [Fact]
    public void APairedRateIsDividedByTheReferenceSampledBesideIt()
    {
        var references = 0;
        var paired = BenchTiming.MeasureAgainst(() => Thread.SpinWait(50), workPerCall: 2.0, _ =>
        {
            references++;
            return 1e6;
        }, Budget, minSamples: 5, sampleSeconds: 0.01);
        Assert.Equal(paired.Timing.Samples, references);
        Assert.Equal(1e6, paired.MedianReferenceRate);
        Assert.Equal(paired.MedianRate / 1e6, paired.MedianRatio, 12);
        // The median of the samples' rates can be no faster than the fastest sample.
        Assert.InRange(paired.MedianRate, 0, 2.0 / paired.Timing.BestSeconds * (1 + 1e-12));
    }

    [Fact]
    public void GemmShapesParseIntoEveryPassAndBadShapesNameTheText()
    {
        var cases = GemmBenchCase.Parse("64x32x16");
        Assert.Equal(6, cases.Count);
        Assert.Contains(cases, c => c.Name == "fp32_backward_weight_tn" && (c.M, c.N, c.K) == (16, 32, 64) && c.TransposeA);
        Assert.Equal(2, GemmBenchCase.Parse("8x8x8, 4x4x4", packedOnly: true).Count / 2);
        var error = Assert.Throws<ArgumentException>(() => GemmBenchCase.Parse("64x0x16"));
        Assert.Contains("'64x0x16'", error.Message, StringComparison.Ordinal);
    }
}
