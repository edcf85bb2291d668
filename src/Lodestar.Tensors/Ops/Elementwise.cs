// Broadcasting binary ops (add, subtract, multiply, divide) and scaling, forward and backward together.
// Broadcasting follows NumPy/PyTorch: shapes align on the right and size-1 or missing axes repeat.
using System.Numerics.Tensors;

namespace Lodestar.Tensors;

internal enum BinaryKind
{
    Add,
    Subtract,
    Multiply,
    Divide,
}

public sealed partial class Graph
{
    public Tensor Add(Tensor a, Tensor b) => Binary(BinaryKind.Add, a, b);

    public Tensor Sub(Tensor a, Tensor b) => Binary(BinaryKind.Subtract, a, b);

    public Tensor Mul(Tensor a, Tensor b) => Binary(BinaryKind.Multiply, a, b);

    public Tensor Div(Tensor a, Tensor b) => Binary(BinaryKind.Divide, a, b);

    /// <summary>alpha * x + beta.</summary>
    public Tensor Scale(Tensor x, float alpha, float beta = 0f)
    {
        x = Contiguous(x);
        var output = NewOutputLike(x);
        TensorPrimitives.Multiply(x.Data, alpha, output.Data);
        TensorPrimitives.Add(output.Data, beta, output.Data);
        if (Tracks(x))
        {
            ref var entry = ref Record(OpKind.Scale, output);
            entry.Input = x;
            entry.Alpha = alpha;
        }
        return output;
    }

    private Tensor Binary(BinaryKind kind, Tensor a, Tensor b)
    {
        a = Contiguous(a);
        b = Contiguous(b);
        Span<int> shape = stackalloc int[Tensor.MaxRank];
        var rank = BroadcastShape(a, b, shape);
        var output = NewOutput(shape[..rank]);
        if (a.SameShape(b) && kind == BinaryKind.Add)
        {
            RowOps.Add(FloatWindow.Of(a), FloatWindow.Of(b), FloatWindow.Of(output)); // residual adds: row-parallel when large
        }
        else if (a.SameShape(b))
        {
            BinarySameShape(kind, a.Data, b.Data, output.Data);
        }
        else if (IsTiledSuffix(a, b))
        {
            var block = b.Length;
            for (var start = 0; start < a.Length; start += block)
            {
                BinarySameShape(kind, a.Data.Slice(start, block), b.Data, output.Data.Slice(start, block));
            }
        }
        else
        {
            var outData = output.Data;
            var aData = a.Data;
            var bData = b.Data;
            for (var i = 0; i < outData.Length; i++)
            {
                var (ia, ib) = BroadcastOffsets(i, output, a, b);
                outData[i] = Apply(kind, aData[ia], bData[ib]);
            }
        }
        if (Tracks(a, b))
        {
            ref var entry = ref Record(OpKind.Binary, output);
            entry.Left = a;
            entry.Right = b;
            entry.BinaryKind = kind;
        }
        return output;
    }

    private static void BinarySameShape(BinaryKind kind, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> output)
    {
        switch (kind)
        {
            case BinaryKind.Add: TensorPrimitives.Add(a, b, output); break;
            case BinaryKind.Subtract: TensorPrimitives.Subtract(a, b, output); break;
            case BinaryKind.Multiply: TensorPrimitives.Multiply(a, b, output); break;
            default: TensorPrimitives.Divide(a, b, output); break;
        }
    }

    private static float Apply(BinaryKind kind, float a, float b) => kind switch
    {
        BinaryKind.Add => a + b,
        BinaryKind.Subtract => a - b,
        BinaryKind.Multiply => a * b,
        _ => a / b,
    };

    private void BinaryBackward(in TapeEntry entry)
    {
        var kind = entry.BinaryKind;
        var a = entry.Left;
        var b = entry.Right;
        var output = entry.Output;
        var g = output.Grad;
        var ga = a.RequiresGrad ? GradOf(a) : Span<float>.Empty;
        var gb = b.RequiresGrad ? GradOf(b) : Span<float>.Empty;
        var aData = a.Data;
        var bData = b.Data;
        if (kind == BinaryKind.Add && a.SameShape(b))
        {
            // d(a+b) = (1, 1): g flows unchanged into both, row-parallel when large.
            if (!ga.IsEmpty)
            {
                RowOps.AddInto(FloatWindow.GradOf(output), FloatWindow.GradOf(a));
            }
            if (!gb.IsEmpty)
            {
                RowOps.AddInto(FloatWindow.GradOf(output), FloatWindow.GradOf(b));
            }
            return;
        }
        if (kind is BinaryKind.Add or BinaryKind.Subtract && (a.SameShape(b) || IsTiledSuffix(a, b)))
        {
            // Each tile of g flows to a unchanged and into b (summed over tiles), negated for subtraction.
            var block = b.Length;
            for (var start = 0; start < g.Length; start += block)
            {
                var tile = g.Slice(start, block);
                if (!ga.IsEmpty)
                {
                    VectorMath.AddInto(tile, ga.Slice(start, block));
                }
                if (!gb.IsEmpty)
                {
                    VectorMath.AddScaledInto(tile, kind == BinaryKind.Add ? 1f : -1f, gb);
                }
            }
            return;
        }
        for (var i = 0; i < g.Length; i++)
        {
            var (ia, ib) = a.SameShape(b) ? (i, i) : BroadcastOffsets(i, output, a, b);
            var (da, db) = kind switch
            {
                // d(a+b) = (1, 1); d(a-b) = (1, -1); d(ab) = (b, a); d(a/b) = (1/b, -a/b²).
                BinaryKind.Add => (1f, 1f),
                BinaryKind.Subtract => (1f, -1f),
                BinaryKind.Multiply => (bData[ib], aData[ia]),
                _ => (1f / bData[ib], -aData[ia] / (bData[ib] * bData[ib])),
            };
            if (!ga.IsEmpty)
            {
                ga[ia] += g[i] * da;
            }
            if (!gb.IsEmpty)
            {
                gb[ib] += g[i] * db;
            }
        }
    }

    private void ScaleBackward(in TapeEntry entry)
    {
        // d(alpha·x + beta)/dx = alpha.
        VectorMath.AddScaledInto(entry.Output.Grad, entry.Alpha, GradOf(entry.Input));
    }

    /// <summary>True when b's shape is a trailing part of a's, so b repeats over a in whole blocks.</summary>
    private static bool IsTiledSuffix(Tensor a, Tensor b)
    {
        if (b.Rank > a.Rank || b.Length == 0)
        {
            return false;
        }
        for (var i = 1; i <= b.Rank; i++)
        {
            if (a.Dim(-i) != b.Dim(-i))
            {
                return false;
            }
        }
        return true;
    }

    private static int BroadcastShape(Tensor a, Tensor b, Span<int> shape)
    {
        var rank = Math.Max(a.Rank, b.Rank);
        for (var i = 0; i < rank; i++)
        {
            var da = i < rank - a.Rank ? 1 : a.Dim(i - (rank - a.Rank));
            var db = i < rank - b.Rank ? 1 : b.Dim(i - (rank - b.Rank));
            Require(da == db || da == 1 || db == 1, $"cannot broadcast {a.Describe()} with {b.Describe()}");
            shape[i] = Math.Max(da, db);
        }
        return rank;
    }

    /// <summary>Offsets into contiguous a and b of the output element i (broadcast axes contribute nothing).</summary>
    private static (int A, int B) BroadcastOffsets(int i, Tensor output, Tensor a, Tensor b)
    {
        var ia = 0;
        var ib = 0;
        var strideA = 1;
        var strideB = 1;
        for (var axis = output.Rank - 1; axis >= 0; axis--)
        {
            var size = output.Dim(axis);
            var coordinate = i % size;
            i /= size;
            var axisA = axis - (output.Rank - a.Rank);
            if (axisA >= 0)
            {
                var dimA = a.Dim(axisA);
                ia += dimA == 1 ? 0 : coordinate * strideA;
                strideA *= dimA;
            }
            var axisB = axis - (output.Rank - b.Rank);
            if (axisB >= 0)
            {
                var dimB = b.Dim(axisB);
                ib += dimB == 1 ? 0 : coordinate * strideB;
                strideB *= dimB;
            }
        }
        return (ia, ib);
    }
}

/// <summary>What the elementwise ops' backward passes read besides their operands.</summary>
internal partial struct TapeEntry
{
    /// <summary>Scale: the factor α of y = αx + β.</summary>
    public float Alpha { readonly get => _float0; set => _float0 = value; }

    /// <summary>Which binary function y = a ∘ b was applied (with broadcasting).</summary>
    public BinaryKind BinaryKind { readonly get => (BinaryKind)_int0; set => _int0 = (int)value; }
}
