// Pointwise functions (exp, log, sigmoid, tanh, ReLU, GELU, SiLU, ...) with their local derivatives.
// Gelu is the tanh approximation (PyTorch nn.GELU(approximate='tanh'), Hendrycks & Gimpel 2016, GPT-2's choice);
// GeluErf is the exact ½x(1 + erf(x/√2)) of nn.GELU() that BERT-family encoders were trained with.
using System.Numerics.Tensors;
using Lodestar.Kernels;

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
    GeluErf,
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

    /// <summary>The exact GELU, ½x(1 + erf(x/√2)).</summary>
    public Tensor GeluErf(Tensor x) => Unary(UnaryKind.GeluErf, x);

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
            case UnaryKind.Gelu: Activation.GeluForward(FloatWindow.Of(x), FloatWindow.Of(output)); break;
            case UnaryKind.Silu: Activation.SiluForward(FloatWindow.Of(x), FloatWindow.Of(output)); break;
            case UnaryKind.Square: TensorPrimitives.Multiply(src, src, dst); break;
            case UnaryKind.GeluErf: Activation.GeluErfForward(FloatWindow.Of(x), FloatWindow.Of(output)); break;
            default: TensorPrimitives.Sqrt(src, dst); break;
        }
        if (Tracks(x))
        {
            ref var entry = ref Record(OpKind.Unary, output);
            entry.Input = x;
            entry.UnaryKind = kind;
        }
        return output;
    }

    private void UnaryBackward(in TapeEntry entry)
    {
        var x = entry.Input.Data;
        var y = entry.Output.Data;
        var g = entry.Output.Grad;
        var gx = GradOf(entry.Input);
        switch (entry.UnaryKind)
        {
            case UnaryKind.Gelu:
                Activation.GeluBackward(FloatWindow.Of(entry.Input), FloatWindow.GradOf(entry.Output), FloatWindow.GradOf(entry.Input));
                return;
            case UnaryKind.Silu:
                Activation.SiluBackward(FloatWindow.Of(entry.Input), FloatWindow.GradOf(entry.Output), FloatWindow.GradOf(entry.Input));
                return;
            case UnaryKind.GeluErf:
                // d/dx = ½(1 + erf(x/√2)) + x·φ(x)
                Activation.GeluErfBackward(FloatWindow.Of(entry.Input), FloatWindow.GradOf(entry.Output), FloatWindow.GradOf(entry.Input));
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
        var kind = entry.UnaryKind;
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

/// <summary>GELU (tanh and erf) and SiLU forward/backward on the Kernels' SIMD loops, split over threads in element blocks.</summary>
internal static class Activation
{
    public static void GeluErfForward(FloatWindow x, FloatWindow y) => Run(ActivationBody.Kind.GeluErfForward, x, default, y);

    /// <summary>gx += g · GELU'(x), the exact GELU.</summary>
    public static void GeluErfBackward(FloatWindow x, FloatWindow g, FloatWindow gx) => Run(ActivationBody.Kind.GeluErfBackward, x, g, gx);

    public static void GeluForward(FloatWindow x, FloatWindow y) => Run(ActivationBody.Kind.GeluForward, x, default, y);

    /// <summary>gx += g · GELU'(x).</summary>
    public static void GeluBackward(FloatWindow x, FloatWindow g, FloatWindow gx) => Run(ActivationBody.Kind.GeluBackward, x, g, gx);

    /// <summary>gx = g · GELU'(x), overwriting gx.</summary>
    public static void GeluBackwardOverwrite(FloatWindow x, FloatWindow g, FloatWindow gx) => Run(ActivationBody.Kind.GeluBackwardOverwrite, x, g, gx);

    public static void SiluForward(FloatWindow x, FloatWindow y) => Run(ActivationBody.Kind.SiluForward, x, default, y);

    /// <summary>gx += g · SiLU'(x).</summary>
    public static void SiluBackward(FloatWindow x, FloatWindow g, FloatWindow gx) => Run(ActivationBody.Kind.SiluBackward, x, g, gx);

    private static void Run(ActivationBody.Kind kind, FloatWindow x, FloatWindow g, FloatWindow output)
    {
        var body = new ActivationBody(kind, x, g, output, RowParallel.Blocks(x.Length, 1));
        KernelThreads.For(body.Blocks, ref body);
    }

    private readonly struct ActivationBody(ActivationBody.Kind kind, FloatWindow x, FloatWindow g, FloatWindow output, int blocks) : IParallelBody
    {
        public enum Kind
        {
            GeluForward,
            GeluBackward,
            GeluBackwardOverwrite,
            SiluForward,
            SiluBackward,
            GeluErfForward,
            GeluErfBackward,
        }

        public int Blocks => blocks;

        public void Invoke(int index)
        {
            var (start, end) = RowParallel.Range(x.Length, index, blocks);
            var xs = x.Rows(start, end, 1);
            var outs = output.Rows(start, end, 1);
            switch (kind)
            {
                case Kind.GeluForward: Gelu.ForwardTanh(xs, outs); break;
                case Kind.GeluBackward: Gelu.BackwardTanh(xs, g.Rows(start, end, 1), outs); break;
                case Kind.GeluBackwardOverwrite: Gelu.BackwardTanhOverwrite(xs, g.Rows(start, end, 1), outs); break;
                case Kind.SiluForward: Kernels.Silu.Forward(xs, outs); break;
                case Kind.GeluErfForward: Gelu.ForwardErf(xs, outs); break;
                case Kind.GeluErfBackward: Gelu.BackwardErf(xs, g.Rows(start, end, 1), outs); break;
                default: Kernels.Silu.Backward(xs, g.Rows(start, end, 1), outs); break;
            }
        }
    }
}

/// <summary>What a unary op's backward reads: its input x (TapeEntry.Input) and which function it applied.</summary>
internal partial struct TapeEntry
{
    /// <summary>Which elementwise function y = f(x) was applied.</summary>
    public UnaryKind UnaryKind { readonly get => (UnaryKind)_int0; set => _int0 = (int)value; }
}
