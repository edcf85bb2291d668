// Every op the tape knows; Graph.Backward.cs maps each to its local derivative.
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
