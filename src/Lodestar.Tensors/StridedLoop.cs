// Walks the elements of a strided layout in row-major order, yielding each element's storage offset.
// Shared by views (contiguous copies and their backward) and broadcasting elementwise ops.
namespace Lodestar.Tensors;

internal static class StridedLoop
{
    /// <summary>dst[i] = src[offset(i)] for the i-th element (row-major) of a strided layout.</summary>
    public static void Gather(ReadOnlySpan<float> src, int srcOffset, ReadOnlySpan<int> shape, ReadOnlySpan<int> strides, Span<float> dst)
    {
        var rank = shape.Length;
        if (rank == 0)
        {
            dst[0] = src[srcOffset];
            return;
        }
        Span<int> counter = stackalloc int[Tensor.MaxRank];
        counter.Clear();
        var inner = shape[rank - 1];
        var innerStride = strides[rank - 1];
        var offset = srcOffset;
        for (var i = 0; i < dst.Length; i += inner)
        {
            var d = dst.Slice(i, inner);
            if (innerStride == 1)
            {
                src.Slice(offset, inner).CopyTo(d);
            }
            else
            {
                for (var j = 0; j < inner; j++)
                {
                    d[j] = src[offset + (j * innerStride)];
                }
            }
            offset = Advance(counter, shape, strides, offset);
        }
    }

    /// <summary>dst[offset(i)] += src[i]: the adjoint of Gather.</summary>
    public static void ScatterAdd(ReadOnlySpan<float> src, Span<float> dst, int dstOffset, ReadOnlySpan<int> shape, ReadOnlySpan<int> strides)
    {
        var rank = shape.Length;
        if (rank == 0)
        {
            dst[dstOffset] += src[0];
            return;
        }
        Span<int> counter = stackalloc int[Tensor.MaxRank];
        counter.Clear();
        var inner = shape[rank - 1];
        var innerStride = strides[rank - 1];
        var offset = dstOffset;
        for (var i = 0; i < src.Length; i += inner)
        {
            for (var j = 0; j < inner; j++)
            {
                dst[offset + (j * innerStride)] += src[i + j];
            }
            offset = Advance(counter, shape, strides, offset);
        }
    }

    /// <summary>Steps the counter over all but the last axis; returns the storage offset of the next row.</summary>
    public static int Advance(Span<int> counter, ReadOnlySpan<int> shape, ReadOnlySpan<int> strides, int offset)
    {
        for (var axis = shape.Length - 2; axis >= 0; axis--)
        {
            counter[axis]++;
            offset += strides[axis];
            if (counter[axis] < shape[axis])
            {
                return offset;
            }
            offset -= counter[axis] * strides[axis];
            counter[axis] = 0;
        }
        return offset;
    }
}
