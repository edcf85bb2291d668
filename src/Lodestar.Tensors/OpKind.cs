// Every op the tape knows; Graph.Backward.cs maps each to its local derivative.
// One entry per op family, so adding an op means one enum value, one forward method and one backward.
namespace Lodestar.Tensors;

internal enum OpKind
{
    None,
    Binary,
    Scale,
    Unary,
    Linear,
    MatMul,
    LayerNorm,
    RmsNorm,
    Softmax,
    LogSoftmax,
    Attention,
    Rope,
    IndexSelect,
    ScatterAdd,
    GatherColumns,
    Sum,
    SumLastDim,
    MaskedMeanPool,
    SelectTokens,
    View,
    Contiguous,
    Concat,
    CrossEntropy,
    BceWithLogits,
    Dropout,
}
