// The chain rule as one table: each op kind points at the backward half of its op family's file.
namespace Lodestar.Tensors;

public sealed partial class Graph
{
    private void BackwardOne(in TapeEntry entry)
    {
        switch (entry.Op)
        {
            case OpKind.Binary: BinaryBackward(in entry); break;
            case OpKind.Scale: ScaleBackward(in entry); break;
            case OpKind.Unary: UnaryBackward(in entry); break;
            case OpKind.Linear: LinearBackward(in entry); break;
            case OpKind.MatMul: MatMulBackward(in entry); break;
            case OpKind.LayerNorm: LayerNormBackward(in entry); break;
            case OpKind.RmsNorm: RmsNormBackward(in entry); break;
            case OpKind.Softmax: SoftmaxBackward(in entry); break;
            case OpKind.LogSoftmax: LogSoftmaxBackward(in entry); break;
            case OpKind.Attention: AttentionBackward(in entry); break;
            case OpKind.Rope: RopeBackward(in entry); break;
            case OpKind.IndexSelect: IndexSelectBackward(in entry); break;
            case OpKind.ScatterAdd: ScatterAddBackward(in entry); break;
            case OpKind.GatherColumns: GatherColumnsBackward(in entry); break;
            case OpKind.Sum: SumBackward(in entry); break;
            case OpKind.SumLastDim: SumLastDimBackward(in entry); break;
            case OpKind.MaskedMeanPool: MaskedMeanPoolBackward(in entry); break;
            case OpKind.SelectTokens: SelectTokensBackward(in entry); break;
            case OpKind.View: ViewBackward(in entry); break;
            case OpKind.Contiguous: ContiguousBackward(in entry); break;
            case OpKind.Concat: ConcatBackward(in entry); break;
            case OpKind.CrossEntropy: CrossEntropyBackward(in entry); break;
            case OpKind.BceWithLogits: BceWithLogitsBackward(in entry); break;
            case OpKind.Dropout: DropoutBackward(in entry); break;
            default: throw new InvalidOperationException($"no backward for {entry.Op}");
        }
    }
}
