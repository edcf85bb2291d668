// Memory-bound row passes of the ops (residual adds, gradient accumulation, bias over rows) split over the
// kernel threads by rows when the tensor is large enough (RowParallel), inline on the caller when it is not.
using Lodestar.Kernels;

namespace Lodestar.Tensors;

internal static class RowOps
{
    /// <summary>destination = a + b, all the same length.</summary>
    public static void Add(FloatWindow a, FloatWindow b, FloatWindow destination) =>
        Run(RowBody.Kind.Add, a, b, destination, a.Length, 1);

    /// <summary>destination += source, both the same length.</summary>
    public static void AddInto(FloatWindow source, FloatWindow destination) =>
        Run(RowBody.Kind.AddInto, source, default, destination, source.Length, 1);

    /// <summary>x (N×C) += bias (C) on every row.</summary>
    public static void AddBiasRows(FloatWindow x, FloatWindow bias, int rows, int columns) =>
        Run(RowBody.Kind.AddBiasRows, bias, default, x, rows, columns);

    private static void Run(RowBody.Kind kind, FloatWindow a, FloatWindow b, FloatWindow destination, int rows, int columns)
    {
        var body = new RowBody(kind, a, b, destination, rows, columns, RowParallel.Blocks(rows, columns));
        KernelThreads.For(body.Blocks, ref body);
    }

    private readonly struct RowBody(RowBody.Kind kind, FloatWindow a, FloatWindow b, FloatWindow destination, int rows, int columns,
        int blocks) : IParallelBody
    {
        public enum Kind
        {
            Add,
            AddInto,
            AddBiasRows,
        }

        public int Blocks => blocks;

        public void Invoke(int index)
        {
            var (start, end) = RowParallel.Range(rows, index, blocks);
            var target = destination.Rows(start, end, columns);
            switch (kind)
            {
                case Kind.Add: Elementwise.Add(a.Rows(start, end, columns), b.Rows(start, end, columns), target); break;
                case Kind.AddInto: Elementwise.Add(target, a.Rows(start, end, columns), target); break;
                default: Elementwise.AddBiasRows(target, a.Span, end - start, columns); break;
            }
        }
    }
}
