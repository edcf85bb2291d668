// The token-major inference attention against the naive reference on head-major copies: every mask kind it
// takes, odd T and D, several micro-kernel slivers of keys and of head channels, and 1 or 2 threads.
namespace Lodestar.Kernels.Tests;

public class TokenMajorAttentionTests
{
    public static TheoryData<string, int, int, int, int> Cases() => new()
    {
        { "none", 1, 4, 128, 64 },
        { "none", 2, 3, 37, 19 },
        { "none", 1, 1, 200, 80 },
        { "causal", 2, 2, 131, 33 },
        { "causal", 1, 1, 1, 1 },
        { "lengths", 3, 2, 45, 17 },
        { "lengths-causal", 3, 1, 70, 9 },
        { "keymask", 2, 2, 53, 24 },
        { "keymask-empty-row", 1, 2, 50, 8 },
        { "prefix", 3, 2, 131, 19 },
        { "prefix", 3, 1, 200, 64 },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void MatchesTheNaiveReference(string maskKind, int batch, int heads, int tokens, int headDim)
    {
        var shape = new AttentionShape(batch, heads, tokens, headDim);
        var mask = FlashAttentionTests.MakeMask(maskKind, batch, tokens, seed: tokens);
        int n = (int)shape.Elements, channels = heads * headDim;
        var qkv = OpsTestData.Uniform(7, 3 * n, 2f);
        var (q, k, v) = (HeadMajor(qkv, 0, shape), HeadMajor(qkv, 1, shape), HeadMajor(qkv, 2, shape));
        var expectedHeads = new float[n];
        AttentionReference.Forward(shape, q, k, v, expectedHeads, new float[batch * heads * tokens], mask);
        var expected = new float[n];
        for (int b = 0; b < batch; b++)
        {
            for (int t = 0; t < tokens; t++)
            {
                for (int h = 0; h < heads; h++)
                {
                    expectedHeads.AsSpan((((b * heads) + h) * tokens + t) * headDim, headDim)
                        .CopyTo(expected.AsSpan(((b * tokens) + t) * channels + (h * headDim), headDim));
                }
            }
        }
        int saved = KernelThreads.Count;
        try
        {
            float[]? first = null;
            foreach (int threads in new[] { 1, 2 })
            {
                KernelThreads.Count = threads;
                var output = new float[n];
                TokenMajorAttention.Forward(shape, qkv, output, mask);
                OpsTestData.AssertClose(expected, output, 2e-5f, 2e-4f, $"output with {threads} threads");
                // Each (sequence, head) is computed whole by one thread: the thread count changes nothing.
                if (first is not null)
                {
                    Assert.Equal(first, output);
                }
                first = output;
            }
        }
        finally
        {
            KernelThreads.Count = saved;
        }
    }

    [Fact]
    public void BlockMasksAndLongSequencesAreLeftToFlashAttention()
    {
        var block = AttentionMask.ForBlock(BlockMask.SharedContextWithIsolatedCandidates(4, [2, 2], causalContext: false));
        Assert.False(TokenMajorAttention.Supports(new AttentionShape(1, 1, 8, 4), block));
        Assert.False(TokenMajorAttention.Supports(new AttentionShape(1, 1, TokenMajorAttention.MaxTokens + 1, 4), AttentionMask.None));
        Assert.True(TokenMajorAttention.Supports(new AttentionShape(1, 1, TokenMajorAttention.MaxTokens, 4), AttentionMask.CausalOnly));
        var error = Assert.Throws<ArgumentException>(() =>
            TokenMajorAttention.Forward(new AttentionShape(1, 1, 8, 4), new float[96], new float[32], block));
        Assert.Contains("block mask", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ShortBuffersAreRejected()
    {
        var shape = new AttentionShape(1, 2, 5, 4);
        Assert.Throws<ArgumentException>(() => TokenMajorAttention.Forward(shape, new float[119], new float[40], AttentionMask.None));
        Assert.Throws<ArgumentException>(() => TokenMajorAttention.Forward(shape, new float[120], new float[39], AttentionMask.None));
    }

    /// <summary>Part (0 q, 1 k, 2 v) of a token-major (B,T,3C) qkv as a (B,H,T,D) copy.</summary>
    private static float[] HeadMajor(float[] qkv, int part, AttentionShape shape)
    {
        int t = shape.Tokens, d = shape.HeadDim, channels = shape.Heads * d;
        var heads = new float[shape.Elements];
        for (int b = 0; b < shape.Batch; b++)
        {
            for (int token = 0; token < t; token++)
            {
                for (int h = 0; h < shape.Heads; h++)
                {
                    qkv.AsSpan((((b * t) + token) * 3 * channels) + (part * channels) + (h * d), d)
                        .CopyTo(heads.AsSpan((((b * shape.Heads) + h) * t + token) * d, d));
                }
            }
        }
        return heads;
    }
}
