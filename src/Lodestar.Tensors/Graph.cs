// The autograd graph: an arena for activations plus a tape that records each op with what its backward
// needs. Backward walks the tape in reverse (recording order is a topological order) and adds gradients.
using System.Diagnostics;
using System.Runtime.CompilerServices;

namespace Lodestar.Tensors;

public sealed partial class Graph
{
    private TapeEntry[] _tape = new TapeEntry[256];
    private int _tapeCount;

    /// <param name="recordGradients">False gives inference mode: no tape, no gradient memory.</param>
    public Graph(bool recordGradients = true)
    {
        IsRecording = recordGradients;
    }

    /// <summary>Storage for every tensor this graph makes.</summary>
    public TensorArena Arena { get; } = new();

    /// <summary>When false (inference mode) ops record nothing and outputs never require gradients.</summary>
    public bool IsRecording { get; set; }

    /// <summary>Ops recorded since the last Reset.</summary>
    public int TapeLength => _tapeCount;

    /// <summary>Forgets the tape and rewinds the arena: every tensor made by this graph becomes invalid.</summary>
    public void Reset()
    {
        Array.Clear(_tape, 0, _tapeCount);
        _tapeCount = 0;
        Arena.Reset();
    }

    /// <summary>An uninitialized tensor (every element must be written before use).</summary>
    public Tensor Empty(params ReadOnlySpan<int> shape) => Arena.Allocate(shape, zeroed: false);

    public Tensor Zeros(params ReadOnlySpan<int> shape) => Arena.Allocate(shape, zeroed: true);

    /// <summary>A graph-owned copy of values; a leaf that collects gradients when requiresGrad.</summary>
    public Tensor Constant(ReadOnlySpan<float> values, ReadOnlySpan<int> shape, bool requiresGrad = false)
    {
        var tensor = Arena.Allocate(shape, zeroed: false);
        if (values.Length != tensor.Length)
        {
            throw new ArgumentException($"{values.Length} values do not fill shape ({string.Join(",", shape.ToArray())})", nameof(values));
        }
        values.CopyTo(tensor.Data);
        tensor.RequiresGrad = requiresGrad && IsRecording;
        return tensor;
    }

    /// <summary>Runs backward from a scalar loss: gradients of leaves accumulate, intermediate ones start at zero.</summary>
    public void Backward(Tensor loss)
    {
        if (loss.Length != 1)
        {
            throw new ArgumentException($"backward needs a scalar loss, got {loss.Describe()}", nameof(loss));
        }
        if (!loss.RequiresGrad)
        {
            throw new InvalidOperationException("the loss does not depend on any tensor that requires a gradient");
        }
        var profile = OpProfile.Current;
        var start = Stopwatch.GetTimestamp();
        PrepareIntermediateGradients();
        profile?.Add("backward", "(zero intermediate gradients)", start);
        GradOf(loss)[0] += 1f;
        RunTapeBackward();
    }

    /// <summary>Backward from a non-scalar output with an explicit seed gradient dL/d(output).</summary>
    public void Backward(Tensor output, ReadOnlySpan<float> seed)
    {
        if (seed.Length != output.Length)
        {
            throw new ArgumentException($"seed has {seed.Length} values for {output.Describe()}", nameof(seed));
        }
        PrepareIntermediateGradients();
        var grad = GradOf(output);
        for (var i = 0; i < seed.Length; i++)
        {
            grad[i] += seed[i];
        }
        RunTapeBackward();
    }

    private void PrepareIntermediateGradients()
    {
        for (var i = 0; i < _tapeCount; i++)
        {
            var output = _tape[i].Output;
            if (output.GradStorage is null)
            {
                (output.GradStorage, output.GradOffset) = Arena.AllocateFloats(output.Length, zeroed: false);
            }
            output.GradPendingClear = true;
        }
    }

    private void RunTapeBackward()
    {
        if (OpProfile.Current is { } profile)
        {
            for (var i = _tapeCount - 1; i >= 0; i--)
            {
                var start = Stopwatch.GetTimestamp();
                BackwardOne(in _tape[i]);
                profile.Add("backward", _tape[i].Op.ToString(), start);
            }
            return;
        }
        for (var i = _tapeCount - 1; i >= 0; i--)
        {
            BackwardOne(in _tape[i]);
        }
    }

    /// <summary>True when an op on these inputs must be recorded.</summary>
    internal bool Tracks(Tensor a) => IsRecording && a.RequiresGrad;

    internal bool Tracks(Tensor a, Tensor? b) => IsRecording && (a.RequiresGrad || (b?.RequiresGrad ?? false));

    internal bool Tracks(Tensor a, Tensor? b, Tensor? c) =>
        IsRecording && (a.RequiresGrad || (b?.RequiresGrad ?? false) || (c?.RequiresGrad ?? false));

    /// <summary>Appends a tape entry for output (which then requires a gradient) and returns it to fill in.</summary>
    internal ref TapeEntry Record(OpKind op, Tensor output)
    {
        Debug.Assert(IsRecording);
        if (_tapeCount == _tape.Length)
        {
            Array.Resize(ref _tape, _tape.Length * 2);
        }
        output.RequiresGrad = true;
        output.IsLeaf = false;
        ref var entry = ref _tape[_tapeCount++];
        entry = default;
        entry.Op = op;
        entry.Output = output;
        OpProfile.Current?.MarkForward(op);
        return ref entry;
    }

    /// <summary>Records a one-input op when x requires a gradient (the common case of the op files).</summary>
    internal void RecordIfTracked(OpKind op, Tensor output, Tensor x, int[]? indices = null)
    {
        if (Tracks(x))
        {
            ref var entry = ref Record(op, output);
            entry.Input = x;
            entry.IndexArgument = indices;
        }
    }

    /// <summary>Throws naming the position of the first id outside [0, rows).</summary>
    internal static void CheckIndices(int[] ids, int rows, string what, Tensor? table = null)
    {
        for (var i = 0; i < ids.Length; i++)
        {
            if ((uint)ids[i] >= (uint)rows)
            {
                throw new ArgumentOutOfRangeException(nameof(ids), $"{what}{(table is null ? "" : " from " + table.Describe())}: index {ids[i]} at position {i} is outside [0,{rows})");
            }
        }
    }

    /// <summary>The gradient buffer of t, allocated zeroed in the arena on first use.</summary>
    internal Span<float> GradOf(Tensor t)
    {
        if (t.GradStorage is null)
        {
            (t.GradStorage, t.GradOffset) = Arena.AllocateFloats(t.Length, zeroed: true);
        }
        return t.Grad;
    }

    /// <summary>
    /// The gradient buffer of t for an op about to add into it, with fresh = true when it holds nothing yet (an
    /// intermediate gradient not yet touched this backward): the op must then overwrite every element instead
    /// of adding (e.g. a GEMM with beta = 0), which saves zeroing it and reading zeros back.
    /// </summary>
    internal Span<float> GradForOverwrite(Tensor t, out bool fresh)
    {
        if (t.GradStorage is null)
        {
            (t.GradStorage, t.GradOffset) = Arena.AllocateFloats(t.Length, zeroed: false);
            fresh = true;
        }
        else
        {
            fresh = t.GradPendingClear;
            t.GradPendingClear = false;
        }
        return t.GradStorage.AsSpan(t.GradOffset, t.Length);
    }

    /// <summary>Scratch floats that live until the next Reset.</summary>
    internal Span<float> Scratch(int count, bool zeroed = false)
    {
        var (storage, offset) = Arena.AllocateFloats(count, zeroed);
        return storage.AsSpan(offset, count);
    }

    internal Tensor NewOutput(ReadOnlySpan<int> shape) => Arena.Allocate(shape, zeroed: false);

    internal Tensor NewOutputLike(Tensor like) => Arena.Allocate(like.ShapeSpan, zeroed: false);

    internal static void Require(bool condition, string message)
    {
        if (!condition)
        {
            throw new ArgumentException(message);
        }
    }

    internal static void Require(bool condition, [InterpolatedStringHandlerArgument(nameof(condition))] ref RequireMessage message)
    {
        if (!condition)
        {
            throw new ArgumentException(message.ToStringAndClear());
        }
    }
}
