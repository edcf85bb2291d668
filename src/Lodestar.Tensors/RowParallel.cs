// Splits row-wise kernels (norms, activations) into one contiguous block of rows per kernel thread.
// Bodies are structs over arrays and offsets (spans cannot cross into the pool), so a call allocates nothing.
using Lodestar.Kernels;

namespace Lodestar.Tensors;

internal static class RowParallel
{
    /// <summary>Work below this many elements runs on the calling thread (a pool handoff costs a few µs).</summary>
    public const int MinimumParallelElements = 1 << 15;

    /// <summary>Blocks to cut rows × columns into: one per thread, or 1 when the job is small.</summary>
    public static int Blocks(int rows, int columns) =>
        (long)rows * columns < MinimumParallelElements ? 1 : Math.Max(1, Math.Min(KernelThreads.Count, rows));

    /// <summary>Rows [start, end) of block i of n.</summary>
    public static (int Start, int End) Range(int rows, int block, int blocks) =>
        ((int)((long)rows * block / blocks), (int)((long)rows * (block + 1) / blocks));
}

/// <summary>A float array window: storage plus offset and length, the span-free form a pool body can hold.</summary>
internal readonly record struct FloatWindow(float[] Storage, int Offset, int Length)
{
    public static FloatWindow Of(Tensor t) => new(t.Storage, t.Offset, t.Length);

    /// <summary>The gradient of t (zeroed first if it was still pending a clear).</summary>
    public static FloatWindow GradOf(Tensor t)
    {
        _ = t.Grad;
        return new(t.GradStorage!, t.GradOffset, t.Length);
    }

    public Span<float> Span => Storage.AsSpan(Offset, Length);

    public Span<float> Rows(int start, int end, int columns) => Storage.AsSpan(Offset + (start * columns), (end - start) * columns);
}
