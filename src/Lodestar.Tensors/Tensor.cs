// A float32 tensor: a shape, strides and a window into storage owned by a Graph's arena or by a parameter.
// Gradients live beside the data (same shape, always contiguous) so backward can add into them in place.
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Lodestar.Tensors;

/// <summary>Up to <see cref="Tensor.MaxRank"/> dimensions stored inline, so shapes never allocate.</summary>
[InlineArray(Tensor.MaxRank)]
public struct TensorDims
{
    private int _element0;
}

public sealed class Tensor
{
    public const int MaxRank = 6;

    private TensorDims _shape;
    private TensorDims _strides;

    internal float[] Storage = [];
    internal int Offset;
    internal float[]? GradStorage;
    internal int GradOffset;

    // Set by Graph.Backward on intermediate gradients instead of clearing them all up front: the first op to
    // touch the gradient either overwrites it (Graph.GradForOverwrite) or gets it zeroed right then (Grad),
    // so a step never streams its whole gradient memory through a separate zeroing pass.
    internal bool GradPendingClear;

    internal Tensor()
    {
    }

    /// <summary>Number of dimensions.</summary>
    public int Rank { get; private set; }

    /// <summary>Number of elements (product of the dimensions).</summary>
    public int Length { get; private set; }

    /// <summary>True when gradients flow into this tensor during backward.</summary>
    public bool RequiresGrad { get; internal set; }

    /// <summary>True for parameters and user inputs: gradients accumulate across backward passes.</summary>
    public bool IsLeaf { get; internal set; } = true;

    /// <summary>True when the tensor's memory is persistent (a parameter), not owned by a graph's arena.</summary>
    public bool IsPersistent { get; internal set; }

    /// <summary>Optional name (parameters use the PyTorch state-dict names).</summary>
    public string? Name { get; set; }

    public int Dim(int axis)
    {
        if (axis < 0)
        {
            axis += Rank;
        }
        Debug.Assert((uint)axis < (uint)Rank);
        return _shape[axis];
    }

    public int Stride(int axis) => _strides[axis < 0 ? axis + Rank : axis];

    /// <summary>The shape as a new array (for messages and tests, not hot paths).</summary>
    public int[] Shape => ((ReadOnlySpan<int>)_shape)[..Rank].ToArray();

    /// <summary>True when elements are laid out row-major without gaps.</summary>
    public bool IsContiguous
    {
        get
        {
            var expected = 1;
            for (var i = Rank - 1; i >= 0; i--)
            {
                if (_shape[i] != 1 && _strides[i] != expected)
                {
                    return false;
                }
                expected *= _shape[i];
            }
            return true;
        }
    }

    /// <summary>The elements of a contiguous tensor.</summary>
    public Span<float> Data
    {
        get
        {
            if (!IsContiguous)
            {
                throw new InvalidOperationException($"tensor {Describe()} is a strided view; call Graph.Contiguous first");
            }
            return Storage.AsSpan(Offset, Length);
        }
    }

    /// <summary>The gradient (same shape, contiguous); empty until backward reaches this tensor.</summary>
    public Span<float> Grad
    {
        get
        {
            if (GradStorage is null)
            {
                return Span<float>.Empty;
            }
            var grad = GradStorage.AsSpan(GradOffset, Length);
            if (GradPendingClear)
            {
                GradPendingClear = false;
                grad.Clear();
            }
            return grad;
        }
    }

    public bool HasGrad => GradStorage is not null;

    /// <summary>Product of the dimensions before the last one (the "rows" of a row-major matrix view).</summary>
    public int Rows => Rank == 0 ? 1 : Length / _shape[Rank - 1];

    /// <summary>The last dimension.</summary>
    public int Columns => Rank == 0 ? 1 : _shape[Rank - 1];

    public bool SameShape(Tensor other)
    {
        if (other.Rank != Rank)
        {
            return false;
        }
        for (var i = 0; i < Rank; i++)
        {
            if (_shape[i] != other._shape[i])
            {
                return false;
            }
        }
        return true;
    }

    public string Describe() => $"{Name ?? "tensor"}({string.Join(",", Shape)})";

    public override string ToString() => Describe();

    /// <summary>Creates a persistent tensor with its own storage and gradient (a parameter or a constant input).</summary>
    public static Tensor CreatePersistent(ReadOnlySpan<int> shape, bool requiresGrad, string? name = null)
    {
        var tensor = new Tensor { Name = name, IsPersistent = true };
        tensor.SetShapeContiguous(shape);
        tensor.Storage = new float[tensor.Length];
        tensor.RequiresGrad = requiresGrad;
        if (requiresGrad)
        {
            tensor.GradStorage = new float[tensor.Length];
        }
        return tensor;
    }

    /// <summary>Creates a persistent tensor holding a copy of values.</summary>
    public static Tensor FromValues(ReadOnlySpan<float> values, ReadOnlySpan<int> shape, bool requiresGrad = false, string? name = null)
    {
        var tensor = CreatePersistent(shape, requiresGrad, name);
        if (values.Length != tensor.Length)
        {
            throw new ArgumentException($"{values.Length} values do not fill shape ({string.Join(",", shape.ToArray())})", nameof(values));
        }
        values.CopyTo(tensor.Data);
        return tensor;
    }

    /// <summary>Sets this tensor's gradient to zero (persistent tensors keep their gradient buffer).</summary>
    public void ZeroGrad()
    {
        if (GradStorage is not null)
        {
            Grad.Clear();
        }
    }

    internal void SetShapeContiguous(ReadOnlySpan<int> shape)
    {
        if (shape.Length > MaxRank)
        {
            throw new ArgumentException($"rank {shape.Length} exceeds {MaxRank}", nameof(shape));
        }
        Rank = shape.Length;
        long length = 1;
        for (var i = shape.Length - 1; i >= 0; i--)
        {
            if (shape[i] < 0)
            {
                throw new ArgumentException($"negative dimension {shape[i]} at axis {i}", nameof(shape));
            }
            _shape[i] = shape[i];
            _strides[i] = (int)length;
            length *= shape[i];
        }
        if (length > int.MaxValue)
        {
            throw new ArgumentException("tensor larger than 2^31 elements", nameof(shape));
        }
        Length = (int)length;
    }

    internal void SetView(Tensor source, ReadOnlySpan<int> shape, ReadOnlySpan<int> strides, int offset)
    {
        Storage = source.Storage;
        Offset = offset;
        Rank = shape.Length;
        var length = 1;
        for (var i = 0; i < shape.Length; i++)
        {
            _shape[i] = shape[i];
            _strides[i] = strides[i];
            length *= shape[i];
        }
        Length = length;
    }

    internal void ResetForReuse()
    {
        Storage = [];
        Offset = 0;
        GradStorage = null;
        GradOffset = 0;
        GradPendingClear = false;
        RequiresGrad = false;
        IsLeaf = true;
        Name = null;
    }

    internal ReadOnlySpan<int> ShapeSpan => ((ReadOnlySpan<int>)_shape)[..Rank];

    internal ReadOnlySpan<int> StrideSpan => ((ReadOnlySpan<int>)_strides)[..Rank];
}
