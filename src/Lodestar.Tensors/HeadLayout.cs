// Moves attention operands between the token-major (B,T,parts·C) layout of the linear layers and the
// head-major (parts,B,H,T,D) layout of the attention kernel, split over the kernel threads by sequences.
using Lodestar.Kernels;

namespace Lodestar.Tensors;

internal static class HeadLayout
{
    /// <summary>heads(part,B,H,T,D) ← tokens(B,T,parts·C) for every part (q | k | v are parts 0, 1, 2).</summary>
    public static void Split(FloatWindow tokens, int parts, FloatWindow heads, AttentionShape shape) =>
        Run(split: true, add: false, tokens, parts, heads, shape);

    /// <summary>tokens(B,T,parts·C) ← heads(part,B,H,T,D) for every part, added (add) or overwritten.</summary>
    public static void Merge(FloatWindow heads, int parts, FloatWindow tokens, AttentionShape shape, bool add) =>
        Run(split: false, add, tokens, parts, heads, shape);

    private static void Run(bool split, bool add, FloatWindow tokens, int parts, FloatWindow heads, AttentionShape shape)
    {
        var body = new HeadBody(split, add, tokens, heads, parts, shape,
            RowParallel.Blocks(shape.Batch, parts * shape.Tokens * shape.Heads * shape.HeadDim));
        KernelThreads.For(body.Blocks, ref body);
    }

    private readonly struct HeadBody(bool split, bool add, FloatWindow tokens, FloatWindow heads, int parts, AttentionShape shape,
        int blocks) : IParallelBody
    {
        public int Blocks => blocks;

        public void Invoke(int index)
        {
            var (first, end) = RowParallel.Range(shape.Batch, index, blocks);
            int d = shape.HeadDim, t = shape.Tokens, h = shape.Heads, channels = h * d, ld = parts * channels;
            var size = shape.Batch * t * channels;
            var tokenSpan = tokens.Span;
            var headSpan = heads.Span;
            for (var part = 0; part < parts; part++)
            {
                for (var b = first; b < end; b++)
                {
                    for (var token = 0; token < t; token++)
                    {
                        var row = tokenSpan.Slice((((b * t) + token) * ld) + (part * channels), channels);
                        for (var head = 0; head < h; head++)
                        {
                            var slot = headSpan.Slice((part * size) + ((((b * h) + head) * t) + token) * d, d);
                            var column = row.Slice(head * d, d);
                            if (split)
                            {
                                column.CopyTo(slot);
                            }
                            else if (add)
                            {
                                Elementwise.Add(column, slot, column);
                            }
                            else
                            {
                                slot.CopyTo(column);
                            }
                        }
                    }
                }
            }
        }
    }
}
