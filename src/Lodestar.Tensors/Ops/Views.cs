// Shape ops: reshape, transpose, slice (views sharing storage), contiguous copies and concatenation.
// A view's gradient is its own contiguous buffer; backward scatters it into the source's gradient.
namespace Lodestar.Tensors;

public sealed partial class Graph
{
    /// <summary>Same elements, new shape (one dimension may be -1). Shares storage with x.</summary>
    public Tensor Reshape(Tensor x, params ReadOnlySpan<int> shape)
    {
        x = Contiguous(x);
        Span<int> resolved = stackalloc int[shape.Length];
        var known = 1;
        var inferred = -1;
        for (var i = 0; i < shape.Length; i++)
        {
            if (shape[i] == -1)
            {
                Require(inferred < 0, "reshape: at most one dimension may be -1");
                inferred = i;
                continue;
            }
            resolved[i] = shape[i];
            known *= shape[i];
        }
        if (inferred >= 0)
        {
            Require(known > 0 && x.Length % known == 0, $"reshape: cannot infer a dimension of {x.Describe()}");
            resolved[inferred] = x.Length / known;
            known *= resolved[inferred];
        }
        Require(known == x.Length, $"reshape: {x.Describe()} has {x.Length} elements, new shape has {known}");
        Span<int> strides = stackalloc int[shape.Length];
        var stride = 1;
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            strides[i] = stride;
            stride *= resolved[i];
        }
        return MakeView(x, resolved, strides, x.Offset);
    }

    /// <summary>Swaps two axes (a strided view; ops that need contiguous data copy it).</summary>
    public Tensor Transpose(Tensor x, int axis0, int axis1)
    {
        x = Contiguous(x);
        axis0 = axis0 < 0 ? axis0 + x.Rank : axis0;
        axis1 = axis1 < 0 ? axis1 + x.Rank : axis1;
        Require((uint)axis0 < (uint)x.Rank && (uint)axis1 < (uint)x.Rank, $"transpose: axes out of range for {x.Describe()}");
        Span<int> shape = stackalloc int[x.Rank];
        Span<int> strides = stackalloc int[x.Rank];
        x.ShapeSpan.CopyTo(shape);
        x.StrideSpan.CopyTo(strides);
        (shape[axis0], shape[axis1]) = (shape[axis1], shape[axis0]);
        (strides[axis0], strides[axis1]) = (strides[axis1], strides[axis0]);
        return MakeView(x, shape, strides, x.Offset);
    }

    /// <summary>Elements [start, start+length) along axis, as a view.</summary>
    public Tensor Slice(Tensor x, int axis, int start, int length)
    {
        x = Contiguous(x);
        axis = axis < 0 ? axis + x.Rank : axis;
        Require((uint)axis < (uint)x.Rank, $"slice: axis {axis} out of range for {x.Describe()}");
        Require(start >= 0 && length >= 0 && start + length <= x.Dim(axis), $"slice: [{start},{start + length}) out of range on axis {axis} of {x.Describe()}");
        Span<int> shape = stackalloc int[x.Rank];
        x.ShapeSpan.CopyTo(shape);
        shape[axis] = length;
        return MakeView(x, shape, x.StrideSpan, x.Offset + (start * x.Stride(axis)));
    }

    /// <summary>x itself when already contiguous, otherwise a row-major copy.</summary>
    public Tensor Contiguous(Tensor x)
    {
        if (x.IsContiguous)
        {
            return x;
        }
        var output = NewOutput(x.ShapeSpan);
        StridedLoop.Gather(x.Storage, x.Offset, x.ShapeSpan, x.StrideSpan, output.Data);
        RecordIfTracked(OpKind.Contiguous, output, x);
        return output;
    }

    /// <summary>Joins a and b along axis (all other dimensions equal).</summary>
    public Tensor Concat(Tensor a, Tensor b, int axis)
    {
        a = Contiguous(a);
        b = Contiguous(b);
        axis = axis < 0 ? axis + a.Rank : axis;
        Require(a.Rank == b.Rank && (uint)axis < (uint)a.Rank, $"concat: ranks differ or axis out of range ({a.Describe()}, {b.Describe()})");
        Span<int> shape = stackalloc int[a.Rank];
        a.ShapeSpan.CopyTo(shape);
        for (var i = 0; i < a.Rank; i++)
        {
            Require(i == axis || a.Dim(i) == b.Dim(i), $"concat: {a.Describe()} and {b.Describe()} differ on axis {i}");
        }
        shape[axis] = a.Dim(axis) + b.Dim(axis);
        var output = NewOutput(shape);
        var (outer, blockA, blockB) = ConcatBlocks(a, b, axis);
        var src1 = a.Data;
        var src2 = b.Data;
        var dst = output.Data;
        for (var o = 0; o < outer; o++)
        {
            src1.Slice(o * blockA, blockA).CopyTo(dst.Slice(o * (blockA + blockB), blockA));
            src2.Slice(o * blockB, blockB).CopyTo(dst.Slice((o * (blockA + blockB)) + blockA, blockB));
        }
        if (Tracks(a, b))
        {
            ref var entry = ref Record(OpKind.Concat, output);
            entry.Left = a;
            entry.Right = b;
            entry.Axis = axis;
        }
        return output;
    }

    private static (int Outer, int BlockA, int BlockB) ConcatBlocks(Tensor a, Tensor b, int axis)
    {
        var outer = 1;
        for (var i = 0; i < axis; i++)
        {
            outer *= a.Dim(i);
        }
        return (outer, a.Length / Math.Max(outer, 1), b.Length / Math.Max(outer, 1));
    }

    private Tensor MakeView(Tensor source, ReadOnlySpan<int> shape, ReadOnlySpan<int> strides, int offset)
    {
        var view = Arena.NextTensor();
        view.SetView(source, shape, strides, offset);
        view.IsPersistent = false;
        if (Tracks(source))
        {
            ref var entry = ref Record(OpKind.View, view);
            entry.Source = source;
            entry.ViewOffset = offset - source.Offset;
        }
        return view;
    }

    private void ViewBackward(in TapeEntry entry)
    {
        var view = entry.Output;
        var source = entry.Source;
        if (!source.RequiresGrad)
        {
            return;
        }
        // The source was contiguous when the view was made, so storage strides index its gradient too.
        StridedLoop.ScatterAdd(view.Grad, GradOf(source), entry.ViewOffset, view.ShapeSpan, view.StrideSpan);
    }

    private void ContiguousBackward(in TapeEntry entry)
    {
        var source = entry.Source;
        if (!source.RequiresGrad)
        {
            return;
        }
        // Gradient of a copy is the identity; the source's own gradient buffer is contiguous (view backward maps it on).
        var grad = GradOf(source);
        var outGrad = entry.Output.Grad;
        for (var i = 0; i < grad.Length; i++)
        {
            grad[i] += outGrad[i];
        }
    }

    private void ConcatBackward(in TapeEntry entry)
    {
        var a = entry.Left;
        var b = entry.Right;
        var (outer, blockA, blockB) = ConcatBlocks(a, b, entry.Axis);
        var outGrad = entry.Output.Grad;
        for (var o = 0; o < outer; o++)
        {
            var row = outGrad.Slice(o * (blockA + blockB), blockA + blockB);
            if (a.RequiresGrad)
            {
                VectorMath.AddInto(row[..blockA], GradOf(a).Slice(o * blockA, blockA));
            }
            if (b.RequiresGrad)
            {
                VectorMath.AddInto(row[blockA..], GradOf(b).Slice(o * blockB, blockB));
            }
        }
    }
}

/// <summary>What the view ops' backward passes read besides their source.</summary>
internal partial struct TapeEntry
{
    /// <summary>Concat: the axis a and b were joined along.</summary>
    public int Axis { readonly get => _int0; set => _int0 = value; }

    /// <summary>View: the view's first element, counted from the source's.</summary>
    public int ViewOffset { readonly get => _int0; set => _int0 = value; }
}
