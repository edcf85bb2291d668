// Inverted dropout with a counter-based mask: element i is dropped when hash(seed, i) < p, so the mask
// depends only on (seed, index) — the same seed gives the same bytes for any thread count.
using Lodestar.Core;
namespace Lodestar.Tensors;

public sealed partial class Graph
{
    /// <summary>Zeroes each element with probability p and scales the rest by 1/(1−p); identity when p = 0.</summary>
    public Tensor Dropout(Tensor x, float p, ulong seed)
    {
        Require(p is >= 0f and < 1f, $"dropout: probability {p} must be in [0,1)");
        if (p == 0f)
        {
            return x;
        }
        x = Contiguous(x);
        var output = NewOutputLike(x);
        var mask = NewOutputLike(x);
        var keepScale = 1f / (1f - p);
        var threshold = (ulong)(p * (double)ulong.MaxValue);
        var src = x.Data;
        var dst = output.Data;
        var m = mask.Data;
        for (var i = 0; i < src.Length; i++)
        {
            m[i] = SeededRandom.Mix(seed, (ulong)i) < threshold ? 0f : keepScale;
            dst[i] = src[i] * m[i];
        }
        if (Tracks(x))
        {
            ref var entry = ref Record(OpKind.Dropout, output);
            entry.Input = x;
            entry.DropMask = mask;
        }
        return output;
    }

    private void DropoutBackward(in TapeEntry entry) =>
        VectorMath.AddProductInto(entry.Output.Grad, entry.DropMask.Data, GradOf(entry.Input));
}

/// <summary>What dropout's backward reads besides its input.</summary>
internal partial struct TapeEntry
{
    /// <summary>0 for a dropped element, 1/(1−p) for a kept one, the shape of x.</summary>
    public Tensor DropMask { readonly get => _saved0!; set => _saved0 = value; }
}
