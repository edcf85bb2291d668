// Float → int8 quantization for Int8Gemm: activations per row to u8 with a scale and zero point
// (asymmetric, covering [min, max] ∪ {0}), weights per output row to s8 with a scale (symmetric, ±127).
namespace Lodestar.Kernels;

public static class Int8Quantize
{
    /// <summary>x (rows×cols, ldx) → q (rows×cols, ldq) u8 with x ≈ scale[r]·(q − zero[r]). With reduceRange the
    /// codes use 7 bits (0..127), which lets Int8Gemm use its denser vpmaddubsw kernel (as FBGEMM's reduce_range).</summary>
    public static void RowsToU8(int rows, int cols, ReadOnlySpan<float> x, int ldx, Span<byte> q, int ldq, Span<float> scale,
        Span<byte> zero, bool reduceRange = false)
    {
        int levels = reduceRange ? 127 : 255;
        GemmShape.CheckDimensions(rows, cols, 0);
        GemmShape.CheckMatrix("x", "ldx", rows, cols, x.Length, ldx);
        GemmShape.CheckMatrix("q", "ldq", rows, cols, q.Length, ldq);
        CheckLength("scale", scale.Length, rows);
        CheckLength("zero", zero.Length, rows);
        for (int r = 0; r < rows; r++)
        {
            var row = x.Slice(r * ldx, cols);
            // The range always includes 0 so that zero (e.g. padding, ReLU output) is represented exactly.
            float min = 0, max = 0;
            foreach (float v in row)
            {
                min = Math.Min(min, v);
                max = Math.Max(max, v);
            }
            float s = max > min ? (max - min) / levels : 1f;
            int z = Math.Clamp((int)MathF.Round(-min / s), 0, levels);
            scale[r] = s;
            zero[r] = (byte)z;
            float inverse = 1f / s;
            var dst = q.Slice(r * ldq, cols);
            for (int c = 0; c < cols; c++)
            {
                dst[c] = (byte)Math.Clamp((int)MathF.Round(row[c] * inverse) + z, 0, levels);
            }
        }
    }

    /// <summary>
    /// x → q u8 with x ≈ scale·(q − zero) for one scale and zero point (a calibrated range): values outside it saturate
    /// at 0 or 255, however far (the clamp is taken in float, before any integer conversion), and NaN becomes 0.
    /// </summary>
    public static void ToU8(ReadOnlySpan<float> x, Span<byte> q, float scale, byte zero)
    {
        CheckLength("q", q.Length, x.Length);
        float inverse = 1f / scale;
        for (int i = 0; i < x.Length; i++)
        {
            float code = MathF.Round(x[i] * inverse) + zero;
            q[i] = code > 0 ? code < 255 ? (byte)code : (byte)255 : (byte)0;
        }
    }

    /// <summary>w (rows×cols, ldw) → q (rows×cols, ldq) s8 in [−127, 127] with w ≈ scale[r]·q.</summary>
    public static void RowsToS8(int rows, int cols, ReadOnlySpan<float> w, int ldw, Span<sbyte> q, int ldq, Span<float> scale)
    {
        GemmShape.CheckDimensions(rows, cols, 0);
        GemmShape.CheckMatrix("w", "ldw", rows, cols, w.Length, ldw);
        GemmShape.CheckMatrix("q", "ldq", rows, cols, q.Length, ldq);
        CheckLength("scale", scale.Length, rows);
        for (int r = 0; r < rows; r++)
        {
            var row = w.Slice(r * ldw, cols);
            float maxAbs = 0;
            foreach (float v in row)
            {
                maxAbs = Math.Max(maxAbs, Math.Abs(v));
            }
            float s = maxAbs > 0 ? maxAbs / 127f : 1f;
            scale[r] = s;
            float inverse = 1f / s;
            var dst = q.Slice(r * ldq, cols);
            for (int c = 0; c < cols; c++)
            {
                dst[c] = (sbyte)Math.Clamp((int)MathF.Round(row[c] * inverse), -127, 127);
            }
        }
    }

    private static void CheckLength(string name, int length, int needed)
    {
        if (length < needed)
        {
            throw new ArgumentException($"{name} has {length} elements but {needed} rows need one each.", name);
        }
    }
}
