// Pointwise functions (exp, log, sigmoid, tanh, ReLU, GELU, SiLU, ...) with their local derivatives.
// GELU is the tanh approximation (PyTorch nn.GELU(approximate='tanh'), Hendrycks & Gimpel 2016).
using System.Numerics.Tensors;

namespace Lodestar.Tensors;

public enum UnaryKind
{
    Exp,
    Log,
    Negate,
    Sigmoid,
    Tanh,
    Relu,
    Gelu,
    Silu,
    Square,
    Sqrt,
}

public sealed partial class Graph
{
    public Tensor Exp(Tensor x) => Unary(UnaryKind.Exp, x);

    public Tensor Log(Tensor x) => Unary(UnaryKind.Log, x);

    public Tensor Neg(Tensor x) => Unary(UnaryKind.Negate, x);

    public Tensor Sigmoid(Tensor x) => Unary(UnaryKind.Sigmoid, x);

    public Tensor Tanh(Tensor x) => Unary(UnaryKind.Tanh, x);

    public Tensor Relu(Tensor x) => Unary(UnaryKind.Relu, x);

    public Tensor Gelu(Tensor x) => Unary(UnaryKind.Gelu, x);

    public Tensor Silu(Tensor x) => Unary(UnaryKind.Silu, x);

    public Tensor Square(Tensor x) => Unary(UnaryKind.Square, x);

    public Tensor Sqrt(Tensor x) => Unary(UnaryKind.Sqrt, x);

    public Tensor Unary(UnaryKind kind, Tensor x)
    {
        x = Contiguous(x);
        var output = NewOutputLike(x);
        var src = x.Data;
        var dst = output.Data;
        switch (kind)
        {
            case UnaryKind.Exp: TensorPrimitives.Exp(src, dst); break;
            case UnaryKind.Log: TensorPrimitives.Log(src, dst); break;
            case UnaryKind.Negate: TensorPrimitives.Negate(src, dst); break;
            case UnaryKind.Sigmoid: TensorPrimitives.Sigmoid(src, dst); break;
            case UnaryKind.Tanh: TensorPrimitives.Tanh(src, dst); break;
            case UnaryKind.Relu: TensorPrimitives.Max(src, 0f, dst); break;
            case UnaryKind.Gelu: Activation.GeluForward(src, dst); break;
            case UnaryKind.Silu: Activation.SiluForward(src, dst); break;
            case UnaryKind.Square: TensorPrimitives.Multiply(src, src, dst); break;
            default: TensorPrimitives.Sqrt(src, dst); break;
        }
        if (Tracks(x))
        {
            ref var entry = ref Record(OpKind.Unary, output);
            entry.A = x;
            entry.I0 = (int)kind;
        }
        return output;
    }

    private void UnaryBackward(in TapeEntry entry)
    {
        var x = entry.A!.Data;
        var y = entry.Output.Data;
        var g = entry.Output.Grad;
        var gx = GradOf(entry.A!);
        switch ((UnaryKind)entry.I0)
        {
            case UnaryKind.Gelu:
                Activation.GeluBackward(x, g, gx);
                return;
            case UnaryKind.Silu:
                Activation.SiluBackward(x, g, gx);
                return;
            case UnaryKind.Exp:
                VectorMath.AddProductInto(g, y, gx); // d exp(x) = exp(x)
                return;
            case UnaryKind.Negate:
                VectorMath.AddScaledInto(g, -1f, gx);
                return;
            default:
                break;
        }
        var kind = (UnaryKind)entry.I0;
        for (var i = 0; i < g.Length; i++)
        {
            gx[i] += g[i] * kind switch
            {
                UnaryKind.Log => 1f / x[i],
                UnaryKind.Sigmoid => y[i] * (1f - y[i]),
                UnaryKind.Tanh => 1f - (y[i] * y[i]),
                UnaryKind.Relu => x[i] > 0f ? 1f : 0f,
                UnaryKind.Square => 2f * x[i],
                _ => 0.5f / y[i], // d sqrt(x) = 1 / (2 sqrt(x))
            };
        }
    }
}

/// <summary>Vectorized GELU/SiLU forward and backward over spans (chunked through a stack buffer).</summary>
internal static class Activation
{
    private const int Chunk = 256;
    private const float GeluCoefficient = 0.044715f;
    private static readonly float SqrtTwoOverPi = MathF.Sqrt(2f / MathF.PI);

    /// <summary>y = 0.5·x·(1 + tanh(√(2/π)·(x + 0.044715·x³))).</summary>
    public static void GeluForward(ReadOnlySpan<float> x, Span<float> y)
    {
        Span<float> t = stackalloc float[Chunk];
        for (var start = 0; start < x.Length; start += Chunk)
        {
            var n = Math.Min(Chunk, x.Length - start);
            var xs = x.Slice(start, n);
            var ts = t[..n];
            GeluTanh(xs, ts);
            // y = 0.5·x·(1 + t)
            TensorPrimitives.Add(ts, 1f, ts);
            TensorPrimitives.Multiply(ts, xs, ts);
            TensorPrimitives.Multiply(ts, 0.5f, y.Slice(start, n));
        }
    }

    /// <summary>gx += g · [0.5·(1+t) + 0.5·x·(1−t²)·√(2/π)·(1 + 3·0.044715·x²)].</summary>
    public static void GeluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> gx)
    {
        Span<float> t = stackalloc float[Chunk];
        for (var start = 0; start < x.Length; start += Chunk)
        {
            var n = Math.Min(Chunk, x.Length - start);
            var xs = x.Slice(start, n);
            GeluTanh(xs, t[..n]);
            var gs = g.Slice(start, n);
            var gxs = gx.Slice(start, n);
            for (var i = 0; i < n; i++)
            {
                var xi = xs[i];
                var ti = t[i];
                var dInner = SqrtTwoOverPi * (1f + (3f * GeluCoefficient * xi * xi));
                var local = (0.5f * (1f + ti)) + (0.5f * xi * (1f - (ti * ti)) * dInner);
                gxs[i] += gs[i] * local;
            }
        }
    }

    /// <summary>y = x·σ(x).</summary>
    public static void SiluForward(ReadOnlySpan<float> x, Span<float> y)
    {
        TensorPrimitives.Sigmoid(x, y);
        TensorPrimitives.Multiply(y, x, y);
    }

    /// <summary>gx += g · σ(x)·(1 + x·(1 − σ(x))).</summary>
    public static void SiluBackward(ReadOnlySpan<float> x, ReadOnlySpan<float> g, Span<float> gx)
    {
        Span<float> s = stackalloc float[Chunk];
        for (var start = 0; start < x.Length; start += Chunk)
        {
            var n = Math.Min(Chunk, x.Length - start);
            var xs = x.Slice(start, n);
            TensorPrimitives.Sigmoid(xs, s[..n]);
            var gs = g.Slice(start, n);
            var gxs = gx.Slice(start, n);
            for (var i = 0; i < n; i++)
            {
                gxs[i] += gs[i] * s[i] * (1f + (xs[i] * (1f - s[i])));
            }
        }
    }

    private static void GeluTanh(ReadOnlySpan<float> x, Span<float> t)
    {
        // t = tanh(√(2/π)·(x + 0.044715·x³))
        TensorPrimitives.Multiply(x, x, t);
        TensorPrimitives.Multiply(t, GeluCoefficient, t);
        TensorPrimitives.Add(t, 1f, t);
        TensorPrimitives.Multiply(t, x, t);
        TensorPrimitives.Multiply(t, SqrtTwoOverPi, t);
        TensorPrimitives.Tanh(t, t);
    }
}
