// One recorded op on the tape: which op, its output, its inputs and whatever its backward needs
// (saved tensors, integer and float arguments, an index array). A plain struct so recording never allocates.
namespace Lodestar.Tensors;

internal struct TapeEntry
{
    public OpKind Op;
    public Tensor Output;
    public Tensor? A;
    public Tensor? B;
    public Tensor? C;
    public Tensor? Saved0;
    public Tensor? Saved1;
    public int I0;
    public int I1;
    public int I2;
    public int I3;
    public float F0;
    public float F1;
    public object? Aux;

    /// <summary>The attention op's mask, kept unboxed so recording attention allocates nothing.</summary>
    public Kernels.AttentionMask Mask;
}
