// One recorded op on the tape: which op, its output, and what its backward reads, each under the name its op
// gives it (as llm.c names every saved activation): `entry.LogSumExp`, `entry.MeanAndRstd`, `entry.Labels`.
// Underneath are a few untyped slots, so recording never allocates; every op file declares the names it uses
// for them beside its forward and backward, and nothing reads a slot except through a name.
namespace Lodestar.Tensors;

internal partial struct TapeEntry
{
    public OpKind Op;
    public Tensor Output;

    // The slots: three inputs, two saved tensors, four integers, two floats, an index array, a flag array and
    // an attention mask (kept unboxed so recording attention allocates nothing).
    private Tensor? _input0;
    private Tensor? _input1;
    private Tensor? _input2;
    private Tensor? _saved0;
    private Tensor? _saved1;
    private int _int0;
    private int _int1;
    private int _int2;
    private int _int3;
    private float _float0;
    private int[]? _indices;
    private byte[]? _flags;
    private Kernels.AttentionMask _mask;

    /// <summary>The input x of a one-input op (unary, softmax, norms, linear, reductions, dropout, contiguous).</summary>
    public Tensor Input { readonly get => _input0!; set => _input0 = value; }

    /// <summary>The index argument of an op that takes one (ids, columns, positions), recorded by Graph.RecordIfTracked.</summary>
    public int[]? IndexArgument { readonly get => _indices; set => _indices = value; }

    /// <summary>The left operand a of a binary op or a matmul, and of a concat.</summary>
    public Tensor Left { readonly get => _input0!; set => _input0 = value; }

    /// <summary>The right operand b of a binary op or a matmul, and of a concat.</summary>
    public Tensor Right { readonly get => _input1!; set => _input1 = value; }

    /// <summary>The weight of a linear op (O, I) or a norm (C).</summary>
    public Tensor Weight { readonly get => _input1!; set => _input1 = value; }

    /// <summary>The bias of a linear op (O) or a layer norm (C), or null.</summary>
    public Tensor? Bias { readonly get => _input2; set => _input2 = value; }
}
