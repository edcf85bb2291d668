// Where one head's rows live in an attention operand: the (B,H,T,D) head-major layout of the kernel's own
// API, or the token-major (B,T,parts·C) layout of a packed qkv tensor read and written in place.
namespace Lodestar.Kernels;

/// <summary>Row t of head h in sequence b starts at b·Batch + h·Head + t·Row.</summary>
internal readonly record struct AttentionStrides(long Batch, long Head, int Row)
{
    /// <summary>(B,H,T,D) contiguous.</summary>
    public static AttentionStrides HeadMajor(AttentionShape shape) =>
        new((long)shape.Heads * shape.Tokens * shape.HeadDim, (long)shape.Tokens * shape.HeadDim, shape.HeadDim);

    /// <summary>(B,T,parts·C) with C = H·D, head h in columns h·D..(h+1)·D of a part.</summary>
    public static AttentionStrides TokenMajor(AttentionShape shape, int parts) =>
        new((long)shape.Tokens * parts * shape.Heads * shape.HeadDim, shape.HeadDim, parts * shape.Heads * shape.HeadDim);

    /// <summary>Offset of row 0 of work item `head` = b·H + h.</summary>
    public long Offset(int head, int heads) => ((long)(head / heads) * Batch) + ((long)(head % heads) * Head);
}
