// Gradient checks of the matrix, normalization, attention and rotary ops on small random shapes,
// plus the behaviour masks and rotations must show (no look-ahead, isolated candidates, norm-preserving).
using Lodestar.Kernels;
namespace Lodestar.Tensors.Tests;

public sealed class LayerGradientTests
{
    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void LinearWithAndWithoutGeluMatchesFiniteDifferences(bool gelu)
    {
        var activation = gelu ? LinearActivation.Gelu : LinearActivation.None;
        GradCheck.Check((g, t) => g.Linear(t[0], t[1], t[2], activation),
            [(GradCheck.Random(2 * 3 * 5, 1), [2, 3, 5]), (GradCheck.Random(4 * 5, 2), [4, 5]), (GradCheck.Random(4, 3), [4])]);
        GradCheck.Check((g, t) => g.Linear(t[0], t[1], null, activation),
            [(GradCheck.Random(3 * 5, 4), [3, 5]), (GradCheck.Random(4 * 5, 5), [4, 5])]);
    }

    [Fact]
    public void LinearMatchesAPlainLoop()
    {
        var graph = new Graph(recordGradients: false);
        var x = GradCheck.Random(6, 1);
        var w = GradCheck.Random(6, 2);
        var y = graph.Linear(graph.Constant(x, [2, 3]), graph.Constant(w, [2, 3]), graph.Constant([0.5f, -1f], [2])).Data;
        for (var r = 0; r < 2; r++)
        {
            for (var o = 0; o < 2; o++)
            {
                var expected = (o == 0 ? 0.5 : -1.0) + Enumerable.Range(0, 3).Sum(i => (double)x[(r * 3) + i] * w[(o * 3) + i]);
                Assert.Equal(expected, y[(r * 2) + o], 1e-5);
            }
        }
    }

    [Theory]
    [InlineData(false, false)]
    [InlineData(true, false)]
    [InlineData(false, true)]
    [InlineData(true, true)]
    public void MatMulInEveryTransposeMatchesFiniteDifferences(bool transposeA, bool transposeB)
    {
        int m = 3, k = 4, n = 5;
        int[] aShape = transposeA ? [k, m] : [m, k];
        int[] bShape = transposeB ? [n, k] : [k, n];
        GradCheck.Check((g, t) => g.MatMul(t[0], t[1], transposeA, transposeB), [(GradCheck.Random(m * k, 1), aShape), (GradCheck.Random(k * n, 2), bShape)]);
        GradCheck.Check((g, t) => g.MatMul(t[0], t[1], transposeA, transposeB),
            [(GradCheck.Random(2 * m * k, 3), [2, .. aShape]), (GradCheck.Random(2 * k * n, 4), [2, .. bShape])]);
        GradCheck.Check((g, t) => g.MatMul(t[0], t[1], transposeA, transposeB),
            [(GradCheck.Random(2 * m * k, 5), [2, .. aShape]), (GradCheck.Random(k * n, 6), bShape)]);
    }

    [Fact]
    public void NormsMatchFiniteDifferences()
    {
        var x = (GradCheck.Random(3 * 8, 1, scale: 2f), new[] { 3, 8 });
        var w = (GradCheck.Random(8, 2), new[] { 8 });
        var b = (GradCheck.Random(8, 3), new[] { 8 });
        GradCheck.Check((g, t) => g.LayerNorm(t[0], t[1], t[2]), [x, w, b]);
        GradCheck.Check((g, t) => g.RmsNorm(t[0], t[1]), [x, w]);
    }

    [Fact]
    public void LayerNormOutputHasZeroMeanAndUnitVariance()
    {
        var graph = new Graph(recordGradients: false);
        var ones = Enumerable.Repeat(1f, 16).ToArray();
        var y = graph.LayerNorm(graph.Constant(GradCheck.Random(16, 9, scale: 5f), [16]), graph.Constant(ones, [16]), null).Data.ToArray();
        Assert.Equal(0, y.Average(), 5);
        Assert.Equal(1, y.Select(v => (double)v * v).Average(), 3);
    }

    public static TheoryData<bool, bool, bool> AttentionMasks => new()
    {
        { false, false, false },
        { true, false, false },
        { false, true, false },
        { true, true, false },
        { false, false, true },
    };

    [Theory]
    [MemberData(nameof(AttentionMasks))]
    public void AttentionMatchesFiniteDifferences(bool causal, bool padding, bool block)
    {
        const int batch = 2, tokens = 4, channels = 6, heads = 2;
        byte[]? keep = padding ? [1, 1, 1, 0, 1, 1, 0, 0] : null;
        // Two context tokens, then two candidates that see the context and themselves but not each other.
        var blockMask = block ? Kernels.BlockMask.SharedContextWithIsolatedCandidates(2, [1, 1], causalContext: false) : null;
        var mask = new AttentionMask(causal, keep, blockMask);
        GradCheck.Check((g, t) => g.Attention(t[0], heads, mask), [(GradCheck.Random(batch * tokens * 3 * channels, 11, scale: 1.5f), [batch, tokens, 3 * channels])]);
    }

    [Theory]
    [MemberData(nameof(AttentionMasks))]
    public void InferenceAttentionMatchesTheRecordedOp(bool causal, bool padding, bool block)
    {
        // Inference graphs attend on the token-major kernel (block masks stay on FlashAttention); recording ones
        // on FlashAttention with head-major copies: both must give the same output.
        const int batch = 2, tokens = 4, channels = 6, heads = 2;
        byte[]? keep = padding ? [1, 1, 1, 0, 1, 1, 0, 0] : null;
        var blockMask = block ? Kernels.BlockMask.SharedContextWithIsolatedCandidates(2, [1, 1], causalContext: false) : null;
        var mask = new AttentionMask(causal, keep, blockMask);
        var values = GradCheck.Random(batch * tokens * 3 * channels, 16, scale: 1.5f);
        var recording = new Graph();
        var expected = recording.Attention(recording.Constant(values, [batch, tokens, 3 * channels], requiresGrad: true), heads, mask).Data.ToArray();
        var inference = new Graph(recordGradients: false);
        var actual = inference.Attention(inference.Constant(values, [batch, tokens, 3 * channels]), heads, mask).Data.ToArray();
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= 1e-6f + (1e-5f * Math.Abs(expected[i])), $"output {i}: {expected[i]} vs {actual[i]}");
        }
    }

    [Fact]
    public void CausalAttentionIgnoresFutureTokens()
    {
        const int tokens = 5, channels = 4;
        var values = GradCheck.Random(tokens * 3 * channels, 12);
        var changed = values.ToArray();
        for (var c = 0; c < 3 * channels; c++)
        {
            changed[((tokens - 1) * 3 * channels) + c] += 1f; // perturb only the last token
        }
        var graph = new Graph(recordGradients: false);
        var a = graph.Attention(graph.Constant(values, [1, tokens, 3 * channels]), 2, AttentionMask.CausalOnly).Data.ToArray();
        var b = graph.Attention(graph.Constant(changed, [1, tokens, 3 * channels]), 2, AttentionMask.CausalOnly).Data.ToArray();
        Assert.Equal(a[..((tokens - 1) * channels)], b[..((tokens - 1) * channels)]);
        Assert.NotEqual(a[^channels..], b[^channels..]);
    }

    [Fact]
    public void IsolatedCandidatesDoNotSeeEachOther()
    {
        const int tokens = 4, channels = 4;
        var mask = new AttentionMask(false, Block: Kernels.BlockMask.SharedContextWithIsolatedCandidates(2, [1, 1], causalContext: false));
        var values = GradCheck.Random(tokens * 3 * channels, 15);
        var changed = values.ToArray();
        for (var c = 0; c < 3 * channels; c++)
        {
            changed[(3 * 3 * channels) + c] += 1f; // perturb only the second candidate
        }
        var graph = new Graph(recordGradients: false);
        var a = graph.Attention(graph.Constant(values, [1, tokens, 3 * channels]), 2, mask).Data.ToArray();
        var b = graph.Attention(graph.Constant(changed, [1, tokens, 3 * channels]), 2, mask).Data.ToArray();
        Assert.Equal(a[..(3 * channels)], b[..(3 * channels)]);
    }

    [Fact]
    public void RopeMatchesFiniteDifferencesAndPreservesNorms()
    {
        GradCheck.Check((g, t) => g.Rope(t[0], 2), [(GradCheck.Random(2 * 3 * 24, 13), [2, 3, 24])]);
        var graph = new Graph(recordGradients: false);
        var x = GradCheck.Random(3 * 24, 14);
        var y = graph.Rope(graph.Constant(x, [1, 3, 24]), 2).Data.ToArray();
        Assert.Equal(x.Sum(v => (double)v * v), y.Sum(v => (double)v * v), 4);
        Assert.Equal(x[..24], y[..24]); // position 0 rotates by angle 0
    }

    [Fact]
    public void RopeAtGivenPositionsRotatesEachTokenAsAtThatIndex()
    {
        int[] positions = [0, 4, 4];
        GradCheck.Check((g, t) => g.Rope(t[0], 2, positions: positions), [(GradCheck.Random(2 * 3 * 24, 15), [2, 3, 24])]);
        var graph = new Graph(recordGradients: false);
        var x = GradCheck.Random(5 * 24, 16);
        var atIndex = graph.Rope(graph.Constant(x, [1, 5, 24]), 2).Data.ToArray();
        // Tokens 1 and 2 of a three-token sequence placed at position 4 rotate as token 4 of the five-token one.
        var picked = new float[3 * 24];
        x.AsSpan(0, 24).CopyTo(picked);
        x.AsSpan(4 * 24, 24).CopyTo(picked.AsSpan(24));
        x.AsSpan(4 * 24, 24).CopyTo(picked.AsSpan(48));
        var placed = graph.Rope(graph.Constant(picked, [1, 3, 24]), 2, positions: positions).Data.ToArray();
        Assert.Equal(atIndex[..24], placed[..24]);
        Assert.Equal(atIndex[(4 * 24)..], placed[24..48]);
        Assert.Equal(atIndex[(4 * 24)..], placed[48..]);
        Assert.Throws<ArgumentException>(() => graph.Rope(graph.Constant(picked, [1, 3, 24]), 2, positions: [0, 1]));
    }
}
