// Fused attention against the naive reference (materialised scores, dense boolean mask): forward output,
// log-sum-exp and all three gradients, for every mask kind with odd T and D.
using Lodestar.TestSupport;
namespace Lodestar.Kernels.Tests;

public class FlashAttentionTests
{
    public static TheoryData<string, int, int, int, int> Cases() => new()
    {
        { "none", 2, 3, 37, 19 },
        { "causal", 2, 2, 131, 33 },
        { "causal", 1, 1, 1, 1 },
        { "lengths", 3, 2, 45, 17 },
        { "lengths-causal", 3, 1, 70, 9 },
        { "keymask", 2, 2, 53, 24 },
        { "block", 1, 2, 7 + 3 + 1 + 2 + 80, 31 },
        { "block-full", 2, 1, 66 + 5 * 4, 16 },
        { "block-lengths", 2, 1, 20 + 70, 65 },
        { "none", 1, 1, 200, 128 },
        { "prefix", 3, 2, 131, 19 },
        { "prefix", 3, 1, 200, 64 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void ForwardAndBackwardMatchTheNaiveReference(string maskKind, int batch, int heads, int tokens, int headDim)
    {
        var shape = new AttentionShape(batch, heads, tokens, headDim);
        var mask = MakeMask(maskKind, batch, tokens, seed: tokens);
        int n = (int)shape.Elements;
        var q = OpsTestData.Uniform(1, n, 2f);
        var k = OpsTestData.Uniform(2, n, 2f);
        var v = OpsTestData.Uniform(3, n);
        var dOut = OpsTestData.Uniform(4, n);

        var expectedOut = new float[n];
        var expectedLse = new float[batch * heads * tokens];
        AttentionReference.Forward(shape, q, k, v, expectedOut, expectedLse, mask);
        var output = new float[n];
        var lse = new float[batch * heads * tokens];
        FlashAttention.Forward(shape, q, k, v, output, lse, mask);
        OpsTestData.AssertClose(expectedOut, output, 2e-5f, 2e-4f, "output");
        OpsTestData.AssertClose(expectedLse, lse, 2e-5f, 2e-5f, "lse");

        var (dqRef, dkRef, dvRef) = (new float[n], new float[n], new float[n]);
        AttentionReference.Backward(shape, q, k, v, dOut, dqRef, dkRef, dvRef, mask);
        var (dq, dk, dv) = (new float[n], new float[n], new float[n]);
        FlashAttention.Backward(shape, q, k, v, output, lse, dOut, dq, dk, dv, mask);
        OpsTestData.AssertClose(dqRef, dq, 5e-5f, 5e-4f, "dq");
        OpsTestData.AssertClose(dkRef, dk, 5e-5f, 5e-4f, "dk");
        OpsTestData.AssertClose(dvRef, dv, 5e-5f, 5e-4f, "dv");
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public void PackedQkvLayoutGivesTheHeadMajorResultsBitForBit(string maskKind, int batch, int heads, int tokens, int headDim)
    {
        // The packed entry points read (B,T,3C) and write (B,T,C) / (B,T,3C) in place; the same numbers must come
        // out as from (B,H,T,D) copies through the head-major entry points.
        var shape = new AttentionShape(batch, heads, tokens, headDim);
        var mask = MakeMask(maskKind, batch, tokens, seed: tokens);
        int n = (int)shape.Elements;
        var qkv = OpsTestData.Uniform(31, 3 * n, 2f);
        var dOutTokens = OpsTestData.Uniform(32, n);
        var (q, k, v) = (ToHeadMajor(qkv, 3, 0, shape), ToHeadMajor(qkv, 3, 1, shape), ToHeadMajor(qkv, 3, 2, shape));
        var dOut = ToHeadMajor(dOutTokens, 1, 0, shape);
        var (output, lse) = (new float[n], new float[batch * heads * tokens]);
        FlashAttention.Forward(shape, q, k, v, output, lse, mask);
        var (dq, dk, dv) = (new float[n], new float[n], new float[n]);
        FlashAttention.Backward(shape, q, k, v, output, lse, dOut, dq, dk, dv, mask);

        var (packedOutput, packedLse) = (new float[n], new float[batch * heads * tokens]);
        FlashAttention.ForwardPacked(shape, qkv, packedOutput, packedLse, mask);
        Assert.Equal(output, ToHeadMajor(packedOutput, 1, 0, shape));
        Assert.Equal(lse, packedLse);
        var dqkv = Enumerable.Repeat(float.NaN, 3 * n).ToArray();
        FlashAttention.BackwardPacked(shape, qkv, packedOutput, packedLse, dOutTokens, dqkv, accumulate: false, mask);
        Assert.Equal(dq, ToHeadMajor(dqkv, 3, 0, shape));
        Assert.Equal(dk, ToHeadMajor(dqkv, 3, 1, shape));
        Assert.Equal(dv, ToHeadMajor(dqkv, 3, 2, shape));

        // accumulate: a second backward adds the same gradients again.
        FlashAttention.BackwardPacked(shape, qkv, packedOutput, packedLse, dOutTokens, dqkv, accumulate: true, mask);
        OpsTestData.AssertClose(dq.Select(x => 2 * x).ToArray(), ToHeadMajor(dqkv, 3, 0, shape), 1e-6f, 1e-5f, "dq twice");
        OpsTestData.AssertClose(dv.Select(x => 2 * x).ToArray(), ToHeadMajor(dqkv, 3, 2, shape), 1e-6f, 1e-5f, "dv twice");
    }

    [Fact]
    public void PackedEntryPointsNameAShortBuffer()
    {
        var shape = new AttentionShape(1, 2, 5, 4);
        var error = Assert.Throws<ArgumentException>(() =>
            FlashAttention.ForwardPacked(shape, new float[3 * 40 - 1], new float[40], new float[10], AttentionMask.None));
        Assert.Contains("qkv", error.Message);
        error = Assert.Throws<ArgumentException>(() => FlashAttention.BackwardPacked(shape, new float[120], new float[40], new float[10],
            new float[40], new float[119], accumulate: false, AttentionMask.None));
        Assert.Contains("dqkv", error.Message);
    }

    /// <summary>Part `part` of a token-major (B,T,parts·C) tensor as a (B,H,T,D) copy.</summary>
    private static float[] ToHeadMajor(float[] tokens, int parts, int part, AttentionShape shape)
    {
        int d = shape.HeadDim, channels = shape.Heads * d;
        var heads = new float[shape.Elements];
        for (int b = 0; b < shape.Batch; b++)
        {
            for (int h = 0; h < shape.Heads; h++)
            {
                for (int t = 0; t < shape.Tokens; t++)
                {
                    Array.Copy(tokens, ((b * shape.Tokens + t) * parts * channels) + (part * channels) + (h * d),
                        heads, ((b * shape.Heads + h) * shape.Tokens + t) * d, d);
                }
            }
        }
        return heads;
    }

    [Fact]
    public void ReferenceBackwardMatchesFiniteDifferences()
    {
        // Central differences of L = Σ w·out through the double-accumulating reference, on a causal head.
        var shape = new AttentionShape(1, 1, 6, 3);
        int n = (int)shape.Elements;
        var inputs = new[] { OpsTestData.Uniform(21, n), OpsTestData.Uniform(22, n), OpsTestData.Uniform(23, n) };
        var w = OpsTestData.Uniform(24, n);
        double Loss()
        {
            var output = new float[n];
            AttentionReference.Forward(shape, inputs[0], inputs[1], inputs[2], output, new float[6], AttentionMask.CausalOnly);
            return OpsTestData.Weighted(OpsTestData.ToDouble(output), OpsTestData.ToDouble(w));
        }
        var gradients = new[] { new float[n], new float[n], new float[n] };
        AttentionReference.Backward(shape, inputs[0], inputs[1], inputs[2], w, gradients[0], gradients[1], gradients[2], AttentionMask.CausalOnly);
        const float h = 1e-2f;
        for (int t = 0; t < 3; t++)
        {
            for (int i = 0; i < n; i++)
            {
                float saved = inputs[t][i];
                inputs[t][i] = saved + h;
                double plus = Loss();
                inputs[t][i] = saved - h;
                double minus = Loss();
                inputs[t][i] = saved;
                double numeric = (plus - minus) / (2 * h);
                Assert.True(Math.Abs(numeric - gradients[t][i]) < 2e-4 + 1e-3 * Math.Abs(numeric), $"input {t}[{i}]: numeric {numeric}, analytic {gradients[t][i]}");
            }
        }
    }

    [Fact]
    public void BackwardAccumulatesIntoGradients()
    {
        var shape = new AttentionShape(1, 2, 29, 13);
        int n = (int)shape.Elements;
        var (q, k, v, dOut) = (OpsTestData.Uniform(5, n), OpsTestData.Uniform(6, n), OpsTestData.Uniform(7, n), OpsTestData.Uniform(8, n));
        var output = new float[n];
        var lse = new float[2 * 29];
        FlashAttention.Forward(shape, q, k, v, output, lse, AttentionMask.CausalOnly);
        var (dq1, dk1, dv1) = (new float[n], new float[n], new float[n]);
        FlashAttention.Backward(shape, q, k, v, output, lse, dOut, dq1, dk1, dv1, AttentionMask.CausalOnly);
        var (dq2, dk2, dv2) = ((float[])dq1.Clone(), (float[])dk1.Clone(), (float[])dv1.Clone());
        FlashAttention.Backward(shape, q, k, v, output, lse, dOut, dq2, dk2, dv2, AttentionMask.CausalOnly);
        OpsTestData.AssertClose(dq1.Select(x => 2 * x).ToArray(), dq2, 1e-6f, 1e-5f, "dq twice");
        OpsTestData.AssertClose(dk1.Select(x => 2 * x).ToArray(), dk2, 1e-6f, 1e-5f, "dk twice");
        OpsTestData.AssertClose(dv1.Select(x => 2 * x).ToArray(), dv2, 1e-6f, 1e-5f, "dv twice");
    }

    [Fact]
    public void FullyMaskedRowsGiveZerosNotNaN()
    {
        var shape = new AttentionShape(2, 1, 9, 5);
        int n = (int)shape.Elements;
        var mask = AttentionMask.ForKeyLengths([0, 4]);
        var (q, k, v, dOut) = (OpsTestData.Uniform(9, n), OpsTestData.Uniform(10, n), OpsTestData.Uniform(11, n), OpsTestData.Uniform(12, n));
        var output = new float[n];
        var lse = new float[18];
        FlashAttention.Forward(shape, q, k, v, output, lse, mask);
        Assert.All(output.AsSpan(0, 45).ToArray(), x => Assert.Equal(0f, x));
        Assert.All(lse.AsSpan(0, 9).ToArray(), x => Assert.Equal(float.NegativeInfinity, x));
        var (dq, dk, dv) = (new float[n], new float[n], new float[n]);
        FlashAttention.Backward(shape, q, k, v, output, lse, dOut, dq, dk, dv, mask);
        Assert.All(dq, x => Assert.False(float.IsNaN(x)));
        Assert.All(dq.AsSpan(0, 45).ToArray(), x => Assert.Equal(0f, x));
    }

    [Fact]
    public void SharedContextMaskAllowsContextAndOwnCandidateOnly()
    {
        int[] candidates = [1, 3, 1, 2];
        var mask = BlockMask.SharedContextWithIsolatedCandidates(5, candidates, causalContext: true);
        int[] owner = [-1, -1, -1, -1, -1, 0, 1, 1, 1, 2, 3, 3];
        Assert.Equal(owner.Length, mask.Length);
        long area = 0;
        for (int i = 0; i < mask.Length; i++)
        {
            for (int j = 0; j < mask.Length; j++)
            {
                bool expected = j <= i && (owner[j] == -1 || owner[j] == owner[i]);
                Assert.True(expected == mask.Allows(i, j), $"query {i}, key {j}: expected {expected}");
                area += expected ? 1 : 0;
            }
        }
        Assert.Equal(area, mask.AllowedArea());
    }

    [Fact]
    public void BlockMaskBuilderNamesTheBadRange()
    {
        var error = Assert.Throws<ArgumentException>(() => new BlockMask.Builder(10).AddGroup(2, false, (0, 4), (3, 6)));
        Assert.Contains("key range 1 [3,6)", error.Message, StringComparison.Ordinal);
        Assert.Throws<InvalidOperationException>(() => new BlockMask.Builder(10).AddGroup(2, false, (0, 4)).Build());
    }

    [Fact]
    public void WarmCallsDoNotAllocate()
    {
        var shape = new AttentionShape(1, 2, 150, 32);
        int n = (int)shape.Elements;
        var (q, k, v, dOut) = (OpsTestData.Uniform(13, n), OpsTestData.Uniform(14, n), OpsTestData.Uniform(15, n), OpsTestData.Uniform(16, n));
        var (output, lse, dq, dk, dv) = (new float[n], new float[300], new float[n], new float[n], new float[n]);
        var mask = AttentionMask.ForBlock(BlockMask.SharedContextWithIsolatedCandidates(50, Enumerable.Repeat(1, 100).ToArray(), true));
        var (qkv, dqkv) = (OpsTestData.Uniform(17, 3 * n), new float[3 * n]);
        SteadyStateAllocation.AssertNone(() =>
        {
            FlashAttention.Forward(shape, q, k, v, output, lse, mask);
            FlashAttention.Backward(shape, q, k, v, output, lse, dOut, dq, dk, dv, mask);
            FlashAttention.ForwardPacked(shape, qkv, output, lse, mask);
            FlashAttention.BackwardPacked(shape, qkv, output, lse, dOut, dqkv, accumulate: true, mask);
        });
    }

    [Fact]
    public void AnIsolatedPrefixOfTheWrongShapeOrBesideABlockMaskIsRefusedByName()
    {
        var shape = new AttentionShape(2, 1, 8, 4);
        var (q, output, lse) = (new float[shape.Elements], new float[shape.Elements], new float[16]);
        var keep = Enumerable.Repeat((byte)1, 16).ToArray();
        var error = Assert.Throws<ArgumentException>(() => FlashAttention.Forward(shape, q, q, q, output, lse, AttentionMask.ForIsolatedPrefix(keep, [3])));
        Assert.Contains("IsolatedPrefix has 1 entries, expected B=2", error.Message, StringComparison.Ordinal);
        error = Assert.Throws<ArgumentException>(() => FlashAttention.Forward(shape, q, q, q, output, lse, AttentionMask.ForIsolatedPrefix(keep, [3, 9])));
        Assert.Contains("IsolatedPrefix[1]=9 is outside [0,8]", error.Message, StringComparison.Ordinal);
        var block = BlockMask.SharedContextWithIsolatedCandidates(4, [2, 2], causalContext: false);
        error = Assert.Throws<ArgumentException>(() => FlashAttention.Forward(shape, q, q, q, output, lse, new AttentionMask(false, Block: block, IsolatedPrefix: [3, 3])));
        Assert.Contains("IsolatedPrefix and Block together", error.Message, StringComparison.Ordinal);
    }

    /// <summary>A mask of the named kind for (B, T), its random parts from seed (shared with TokenMajorAttentionTests).</summary>
    internal static AttentionMask MakeMask(string kind, int batch, int tokens, int seed)
    {
        var random = new Random(seed);
        int[] Lengths() => Enumerable.Range(0, batch).Select(b => b == 0 ? tokens : random.Next(1, tokens)).ToArray();
        return kind switch
        {
            "none" => AttentionMask.None,
            "causal" => AttentionMask.CausalOnly,
            "lengths" => AttentionMask.ForKeyLengths(Lengths()),
            "lengths-causal" => AttentionMask.ForKeyLengths(Lengths(), causal: true),
            "keymask" => AttentionMask.ForKeyKeep(Enumerable.Range(0, batch * tokens).Select(_ => (byte)(random.NextDouble() < 0.7 ? 1 : 0)).ToArray()),
            // Key 0 masked and causal: query 0 sees no key and must output zeros.
            "keymask-empty-row" => AttentionMask.ForKeyKeep(Enumerable.Range(0, batch * tokens).Select(i => (byte)(i % tokens != 0 ? 1 : 0)).ToArray(), causal: true),
            "block" => AttentionMask.ForBlock(new BlockMask.Builder(tokens)
                .AddGroup(7, true, (0, 7))
                .AddGroup(3, false, (0, 7), (7, 10))
                .AddGroup(1, false)
                .AddGroup(2, true, (3, 5), (11, 13))
                .AddGroup(80, false, (0, 5), (13, 93))
                .Build()),
            "block-full" => AttentionMask.ForBlock(BlockMask.SharedContextWithIsolatedCandidates(66, [4, 4, 4, 4, 4], causalContext: false)),
            "block-lengths" => new AttentionMask(false, KeyLengths: [90, 75],
                Block: BlockMask.SharedContextWithIsolatedCandidates(20, Enumerable.Repeat(1, 70).ToArray(), causalContext: true)),
            // Batch 0 isolates nothing, batch 1 the whole row, the rest a prefix across a query tile; trailing padding keys.
            "prefix" => new AttentionMask(false,
                KeyKeep: [.. Enumerable.Range(0, batch * tokens).Select(i => (byte)(i % tokens < tokens - (i / tokens) ? 1 : 0))],
                IsolatedPrefix: [.. Enumerable.Range(0, batch).Select(b => b switch { 0 => 0, 1 => tokens, _ => tokens * 2 / 3 })]),
            _ => throw new ArgumentException(kind),
        };
    }
}
