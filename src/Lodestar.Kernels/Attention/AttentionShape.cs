// Dimensions of a multi-head self-attention call: q, k, v and out are (B,H,T,D) contiguous row-major.
// Validated once at the public entry points; the kernels only assert.
namespace Lodestar.Kernels;

/// <summary>B batch, H heads, T tokens (queries = keys), D head dimension.</summary>
public readonly record struct AttentionShape(int Batch, int Heads, int Tokens, int HeadDim)
{
    /// <summary>Elements of one (B,H,T,D) tensor.</summary>
    public long Elements => (long)Batch * Heads * Tokens * HeadDim;

    /// <summary>The softmax temperature 1/√D of scaled dot-product attention (Vaswani et al. 2017).</summary>
    public float Scale => 1f / MathF.Sqrt(HeadDim);

    public void Validate()
    {
        if (Batch < 0) throw new ArgumentOutOfRangeException(nameof(Batch), Batch, "attention shape: Batch must be ≥ 0");
        if (Heads < 0) throw new ArgumentOutOfRangeException(nameof(Heads), Heads, "attention shape: Heads must be ≥ 0");
        if (Tokens < 0) throw new ArgumentOutOfRangeException(nameof(Tokens), Tokens, "attention shape: Tokens must be ≥ 0");
        if (HeadDim <= 0) throw new ArgumentOutOfRangeException(nameof(HeadDim), HeadDim, "attention shape: HeadDim must be ≥ 1");
    }

    internal void RequireLength(int length, string name, long expected)
    {
        if (length < expected)
        {
            throw new ArgumentException($"attention: {name} has {length} elements, expected {expected} for (B,H,T,D)=({Batch},{Heads},{Tokens},{HeadDim})", name);
        }
    }
}
